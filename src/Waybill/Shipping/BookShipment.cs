using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;
using Waybill.Tracking;

namespace Waybill.Shipping;

/// <summary><c>POST /v1/orders/{id}/shipments</c>: how to choose the route; all optional.</summary>
public sealed record BookingInput(string? Strategy = null, string? ServiceId = null, DateOnly? DeliverBy = null, Guid? WarehouseId = null);

/// <summary>
/// Books one order onto the sandbox network: <see cref="BookShipments"/> with a batch of one, so that one booking and
/// a thousand follow the same rules.
/// </summary>
public static class BookShipment
{
    public const string Cheapest = "cheapest";
    public const string Fastest = "fastest";
    public const string CheapestOnTime = "cheapest_on_time";

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<ShipmentView>> HandleAsync(Guid orderId, BookingInput request, CancellationToken ct)
        {
            var outcome = (await new BookShipments.Handler(db, clock).HandleAsync([new BookShipments.Request(orderId, request)], ct))[0];
            // The shipment as GET /v1/shipments/{id} shows it (its order, lane and exceptions too).
            return outcome.Error is { } error ? error : await new GetShipment.Handler(db, null, clock).HandleAsync(outcome.Shipment!.Id, ct);
        }
    }
}

/// <summary>
/// Books orders onto the sandbox network in one transaction: for each, the route chosen by strategy (or the named
/// service), a tracking number per leg from its carrier's serial series, the shipment with its legs, prices and
/// expected delivery, and the order marked shipped. Orders are read, numbers taken (one statement per series) and
/// shipments written (bulk) for the whole batch; each order that cannot be booked gets its own error and the rest are
/// booked all the same.
/// </summary>
public static class BookShipments
{
    public const int MaxBatch = 5_000;

    public sealed record Request(Guid OrderId, BookingInput Booking);

    /// <summary>One request's result: the shipment booked (with its legs), or why not.</summary>
    public sealed record Outcome(Guid OrderId, Shipment? Shipment, Error? Error);

    private sealed record Plan(int Index, Order Order, Warehouse Warehouse, Route Route);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<IReadOnlyList<Outcome>> HandleAsync(IReadOnlyList<Request> requests, CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(requests);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(requests.Count, MaxBatch, nameof(requests));
            var outcomes = new Outcome?[requests.Count];
            if (requests.Count == 0)
            {
                return [];
            }
            var ids = requests.Select(r => r.OrderId).Distinct().ToList();
            // Read, not tracked: the orders are marked shipped below by one statement per warehouse.
            var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
            var booked = (await db.Shipments.Where(s => s.OrderId != null && ids.Contains(s.OrderId.Value)).Select(s => s.OrderId!.Value).ToListAsync(ct)).ToHashSet();
            var warehouses = await db.Warehouses.AsNoTracking().ToListAsync(ct);
            var currency = await db.Tenants.Where(t => t.Id == db.TenantId).Select(t => t.Currency).SingleAsync(ct);
            var now = clock.UtcNow();
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var catalogue = SandboxCatalogue.Default;
            var quotes = new Dictionary<string, RateResult>(StringComparer.Ordinal);

            var plans = new List<Plan>(requests.Count);
            for (var i = 0; i < requests.Count; i++)
            {
                var (orderId, booking) = requests[i];
                var result = Choose(orders.GetValueOrDefault(orderId), booking, orderId);
                if (result.IsSuccess)
                {
                    plans.Add(result.Value with { Index = i });
                    booked.Add(orderId); // the same order twice in one batch: the second is already booked
                }
                else
                {
                    outcomes[i] = new Outcome(orderId, null, result.Error);
                }
            }

            if (plans.Count > 0)
            {
                var outer = db.Database.CurrentTransaction;
                await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
                if (outer is not null)
                {
                    await outer.CreateSavepointAsync("book_shipments", ct); // inside an Idempotency-Key request's transaction
                }
                // Held like any leg registration: the event writer cannot match numbers while these legs are written.
                await db.BeginLegRegistrationAsync(ct);
                var shipments = await CreateAsync(plans, outcomes, now, ct);
                await AttachWaitingEventsAsync(shipments, now, ct);
                await BulkWriter.InsertAsync(db, shipments, null, ct);
                await BulkWriter.InsertAsync(db, shipments.SelectMany(s => s.Legs), null, ct);
                await db.SaveChangesAsync(ct); // the waiting events attached
                var shipped = plans.Where(p => outcomes[p.Index]?.Shipment is not null).ToList();
                if (!await MarkShippedAsync(shipped.Select(p => p.Order).ToList(), now, ct))
                {
                    // Another request cancelled or booked one of them since they were read: nothing of the batch is kept.
                    if (own is not null)
                    {
                        await own.RollbackAsync(CancellationToken.None);
                    }
                    else
                    {
                        await outer!.RollbackToSavepointAsync("book_shipments", CancellationToken.None);
                    }
                    db.ChangeTracker.Clear();
                    foreach (var plan in plans)
                    {
                        outcomes[plan.Index] = new Outcome(plan.Order.Id, null,
                            Error.Conflict("shipping.order_changed", $"Order {plan.Order.Reference} changed while it was being booked; book it again."));
                    }
                    return outcomes.Select(o => o!).ToList();
                }
                await PriceLandingsAsync(shipped, today, ct);
                if (own is not null)
                {
                    await own.CommitAsync(ct);
                }
            }
            return outcomes.Select(o => o!).ToList();

            Result<Plan> Choose(Order? order, BookingInput booking, Guid orderId)
            {
                var strategy = booking.Strategy?.Trim().ToLowerInvariant() ?? BookShipment.CheapestOnTime;
                if (strategy is not (BookShipment.Cheapest or BookShipment.Fastest or BookShipment.CheapestOnTime))
                {
                    var errors = new ValidationErrors();
                    errors.Add("strategy", $"'{booking.Strategy}' is not a strategy: {BookShipment.Cheapest}, {BookShipment.Fastest} or {BookShipment.CheapestOnTime}.");
                    return errors.ToError("shipping.booking_invalid", "The booking has invalid fields.");
                }
                if (order is null)
                {
                    return Error.NotFound("orders.not_found", $"No order {orderId}.");
                }
                if (order.ShipRefusal() is { } refusal)
                {
                    return refusal;
                }
                if (booked.Contains(order.Id))
                {
                    return Error.Conflict("shipping.already_booked", $"Order {order.Reference} already has a shipment.");
                }
                var warehouse = ShipFrom.Resolve(warehouses, booking.WarehouseId, order.WarehouseId);
                if (!warehouse.IsSuccess)
                {
                    return warehouse.Error!;
                }
                var rateRequest = RateRequestFor(order, warehouse.Value, currency, today);
                if (!rateRequest.IsSuccess)
                {
                    return rateRequest.Error!;
                }
                var r = rateRequest.Value;
                var key = $"{r.From}|{r.To}|{r.Parcels[0]}|{string.Join(',', r.DangerousGoods)}|{order.GoodsTotal}|{order.Currency}";
                if (!quotes.TryGetValue(key, out var quote))
                {
                    quote = Rates.Quote(r, catalogue, ExchangeRates.Default);
                    quotes[key] = quote;
                }
                var route = ChooseRoute(quote, strategy, booking, today);
                return route.IsSuccess ? new Plan(0, order, warehouse.Value, route.Value) : route.Error!;
            }
        }

        /// <summary>
        /// Events stored for a number before it was issued (a feed that ran ahead) join their new leg, and the shipment's
        /// state, before it is written. New numbers rarely have any: one indexed query answers for the batch.
        /// </summary>
        private async Task AttachWaitingEventsAsync(List<Shipment> shipments, DateTimeOffset now, CancellationToken ct)
        {
            var legs = shipments.SelectMany(s => s.Legs.Select(l => (Shipment: s, Leg: l)))
                .ToDictionary(x => TrackingKeys.LegKeyOf(db.TenantId, x.Leg.Carrier, x.Leg.TrackingNumber));
            var keys = legs.Keys.ToList();
            var waiting = await db.TrackingEvents.Where(e => keys.Contains(e.LegKey) && e.LegId == null).ToListAsync(ct);
            foreach (var e in waiting)
            {
                if (legs.TryGetValue(e.LegKey, out var owner) && owner.Leg.Carrier == e.Carrier && owner.Leg.TrackingNumber == e.TrackingNumber)
                {
                    e.AttachTo(owner.Shipment.Id, owner.Leg.Id);
                    owner.Shipment.Merge(e, now);
                }
            }
        }

        /// <summary>
        /// A DDP order's landed cost becomes final at booking: from the warehouse that ships it, by the mode of the booked
        /// route (postal when a postal service carries it), on the booking date, with the order's shipping price (else
        /// the booked price in the order's currency).
        /// </summary>
        private async Task PriceLandingsAsync(List<Plan> shipped, DateOnly today, CancellationToken ct)
        {
            var ddp = shipped.Where(p => p.Order.Incoterm == Incoterm.DDP).ToList();
            if (ddp.Count == 0)
            {
                return;
            }
            var schemes = await Waybill.Tenancy.SchemeRegistrations.ReadAsync(db, ct);
            var catalogue = SandboxCatalogue.Default;
            var final = new List<(Guid, string?)>(ddp.Count);
            foreach (var plan in ddp)
            {
                var postal = plan.Route.Legs.Any(l => catalogue.FindService(l.ServiceId)?.Kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel);
                var shipping = plan.Order.ShippingPrice
                    ?? (ExchangeRates.Default.TryConvert(plan.Route.Total, plan.Order.Currency, today, out var price, out _) ? price.Amount : null);
                var priced = OrderLandedCost.Of(plan.Order, plan.Warehouse.AddressCountry, today, postal ? Waybill.Customs.ShippingMode.Postal : Waybill.Customs.ShippingMode.Courier,
                    shipping, schemes, final: true);
                // The destination's refusals were checked when the order was created; a rule that changed since leaves the provisional cost.
                if (priced.IsSuccess && priced.Value is { } landedCost)
                {
                    final.Add((plan.Order.Id, landedCost));
                }
            }
            await BulkWriter.UpdateTextAsync<Order>(db, nameof(Order.LandedCost), final, ct);
        }

        /// <summary>
        /// The booked orders, shipped (<see cref="Order.Ship"/> has checked and changed each in memory): one statement per
        /// warehouse, on the condition that each is still bookable; false when one was not.
        /// </summary>
        private async Task<bool> MarkShippedAsync(List<Order> shipped, DateTimeOffset now, CancellationToken ct)
        {
            foreach (var group in shipped.GroupBy(o => o.WarehouseId))
            {
                var warehouseId = group.Key;
                foreach (var chunk in group.Select(o => o.Id).Chunk(1000))
                {
                    var changed = await db.Orders
                        .Where(o => chunk.Contains(o.Id) && (o.Status == OrderStatus.Created || o.Status == OrderStatus.Allocated))
                        .ExecuteUpdateAsync(set => set
                            .SetProperty(o => o.Status, OrderStatus.Shipped)
                            .SetProperty(o => o.WarehouseId, warehouseId)
                            .SetProperty(o => o.UpdatedAt, now), ct);
                    if (changed != chunk.Length)
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        /// <summary>The shipments of the plans, each leg numbered from its series; a series that runs out fails its orders.</summary>
        private async Task<List<Shipment>> CreateAsync(List<Plan> plans, Outcome?[] outcomes, DateTimeOffset now, CancellationToken ct)
        {
            var catalogue = SandboxCatalogue.Default;
            var series = new Dictionary<string, (long Next, long Count)>(StringComparer.Ordinal);
            foreach (var leg in plans.SelectMany(p => p.Route.Legs))
            {
                var key = SeriesOf(catalogue, leg.ServiceId);
                series[key] = (0, series.GetValueOrDefault(key).Count + 1);
            }
            foreach (var key in series.Keys.Order(StringComparer.Ordinal).ToList())
            {
                series[key] = (await NumberSequences.TakeAsync(db, key, (int)series[key].Count, ct), series[key].Count);
            }

            // To the minute: the window is an estimate, and both databases then store it exactly.
            var minute = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), now.Offset);
            var shipments = new List<Shipment>(plans.Count);
            foreach (var plan in plans)
            {
                var shipment = Shipment.Create(db.TenantId, plan.Order.Id, now);
                Error? exhausted = null;
                foreach (var leg in plan.Route.Legs)
                {
                    var service = catalogue.FindService(leg.ServiceId)!;
                    var carrier = catalogue.CarrierOf(service);
                    var key = SeriesOf(catalogue, leg.ServiceId);
                    var serial = series[key].Next;
                    series[key] = (serial + 1, series[key].Count);
                    if (serial > carrier.TrackingNumber.MaxSerial)
                    {
                        exhausted = new Error(ErrorKind.Unprocessable, "shipping.numbers_exhausted", $"{carrier.Code} has issued every number of its series {key}.");
                        break;
                    }
                    shipment.AddLeg(RoleOf(leg.Role), carrier.Code, catalogue.Numbers.FormatFor(service.Id, serial), now, service.Id, leg.PriceInRequestCurrency);
                }
                if (exhausted is not null)
                {
                    outcomes[plan.Index] = new Outcome(plan.Order.Id, null, exhausted);
                    continue;
                }
                shipment.Book(plan.Route.Total, minute.AddMinutes(Math.Round(plan.Route.TransitDaysP50 * 24 * 60)), minute.AddMinutes(Math.Round(plan.Route.TransitDaysP90 * 24 * 60)));
                plan.Order.Ship(now, plan.Warehouse.Id); // the order now names the warehouse it ships from
                shipments.Add(shipment);
                outcomes[plan.Index] = new Outcome(plan.Order.Id, shipment, null);
            }
            return shipments;
        }
    }

    /// <summary>
    /// What a booking of <paramref name="order"/> from <paramref name="warehouse"/> is quoted on: its lines packed into one
    /// parcel (default packaging), their dangerous goods, the goods total as declared value, in <paramref name="currency"/>
    /// (the tenant's). <see cref="QuoteRates"/> quotes an order the same way, so the routes it lists are the booking's.
    /// </summary>
    internal static Result<RateRequest> RateRequestFor(Order order, Warehouse warehouse, Currency currency, DateOnly today)
    {
        if (DefaultPackaging.Default.Pack(order.TotalWeightKg, out var packReason) is not { } parcel)
        {
            return new Error(ErrorKind.Unprocessable, "shipping.cannot_pack", packReason!);
        }
        var goods = DangerousGoods.Union(order.Lines.Select(l => DangerousGoods.FromColumn(l.DangerousGoods)));
        return new RateRequest(warehouse.AddressCountry, order.ShipToCountry, [parcel], goods, new Money(order.GoodsTotal, order.Currency), currency, today);
    }

    private static string SeriesOf(SandboxCatalogue catalogue, string serviceId)
    {
        var service = catalogue.FindService(serviceId)!;
        var carrier = catalogue.CarrierOf(service);
        return carrier.TrackingNumber.Scheme == NumberScheme.S10
            ? $"s10:{carrier.TrackingNumber.Country!.Value.Value}:{service.S10ServiceIndicator}"
            : carrier.Code;
    }

    /// <summary>The named service's route, else the strategy's choice among the feasible routes (cheapest first).</summary>
    private static Result<Route> ChooseRoute(RateResult quote, string strategy, BookingInput request, DateOnly today)
    {
        if (quote.Routes.Count == 0)
        {
            return new Error(ErrorKind.Unprocessable, "shipping.no_route",
                "No service can carry this order: " + string.Join(" ", quote.LeftOut.Select(l => $"{l.ServiceId}: {l.Reason}").Distinct().Take(5)))
            {
                Details = quote.LeftOut,
            };
        }
        if (!string.IsNullOrWhiteSpace(request.ServiceId))
        {
            var named = quote.Routes.FirstOrDefault(r => r.Id == request.ServiceId.Trim());
            if (named is not null)
            {
                return named;
            }
            var why = quote.LeftOut.FirstOrDefault(l => l.ServiceId == request.ServiceId.Trim());
            return new Error(ErrorKind.Unprocessable, "shipping.service_unavailable",
                why is null
                    ? $"'{request.ServiceId}' is not a route for this order; POST /v1/rates lists them (a route's id names its services)."
                    : $"{why.ServiceId} cannot carry this order ({why.Code}): {why.Reason}");
        }
        switch (strategy)
        {
            case BookShipment.Cheapest:
                return quote.Routes[0];
            case BookShipment.Fastest:
                return quote.Routes.OrderBy(r => r.TransitDaysP90).ThenBy(r => r.Total.Amount).First();
            default:
                var onTime = quote.Routes.FirstOrDefault(r =>
                    r.TransitDaysP90 <= (request.DeliverBy is { } by ? by.DayNumber - today.DayNumber : r.PromiseDays));
                return onTime is not null
                    ? onTime
                    : new Error(ErrorKind.Unprocessable, "shipping.no_route_on_time",
                        request.DeliverBy is { } date
                            ? $"No route delivers by {date:yyyy-MM-dd} at p90; the fastest takes {quote.Routes.Min(r => r.TransitDaysP90)} days. Choose strategy fastest, or a later deliverBy."
                            : "No route meets its own promise at p90; choose strategy cheapest or fastest.");
        }
    }

    private static LegRole RoleOf(string role) => role switch
    {
        Rates.FirstMile => LegRole.FirstMile,
        Rates.LineHaul => LegRole.LineHaul,
        Rates.LastMile => LegRole.LastMile,
        _ => LegRole.EndToEnd,
    };
}
