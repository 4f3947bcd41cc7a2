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
/// Books an order onto the sandbox network: the route chosen by strategy (or the named service), a tracking number per
/// leg from its carrier's serial series, the shipment registered with its legs, prices and expected delivery, and the
/// order marked shipped, all in one transaction.
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
            var strategy = request.Strategy?.Trim().ToLowerInvariant() ?? CheapestOnTime;
            if (strategy is not (Cheapest or Fastest or CheapestOnTime))
            {
                var errors = new ValidationErrors();
                errors.Add("strategy", $"'{request.Strategy}' is not a strategy: {Cheapest}, {Fastest} or {CheapestOnTime}.");
                return errors.ToError("shipping.booking_invalid", "The booking has invalid fields.");
            }
            var order = await db.Orders.Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, ct);
            if (order is null)
            {
                return Error.NotFound("orders.not_found", $"No order {orderId}.");
            }
            if (order.ShipRefusal() is { } refusal)
            {
                return refusal;
            }
            if (await db.Shipments.AnyAsync(s => s.OrderId == order.Id, ct))
            {
                return Error.Conflict("shipping.already_booked", $"Order {order.Reference} already has a shipment.");
            }
            var warehouse = await ShipFrom.ResolveAsync(db, request.WarehouseId, order.WarehouseId, ct);
            if (!warehouse.IsSuccess)
            {
                return warehouse.Error!;
            }
            if (DefaultPackaging.Default.Pack(order.TotalWeightKg, out var packReason) is not { } parcel)
            {
                return new Error(ErrorKind.Unprocessable, "shipping.cannot_pack", packReason!);
            }
            var goods = DangerousGoods.Union(order.Lines.Select(l => DangerousGoods.FromColumn(l.DangerousGoods)));
            var currency = await db.Tenants.Where(t => t.Id == db.TenantId).Select(t => t.Currency).SingleAsync(ct);
            var now = clock.UtcNow();
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var catalogue = SandboxCatalogue.Default;
            var quote = Rates.Quote(
                new RateRequest(warehouse.Value.AddressCountry, order.ShipToCountry, [parcel], goods,
                    new Money(order.GoodsTotal, order.Currency), currency, today),
                catalogue, ExchangeRates.Default);
            var chosen = Choose(quote, strategy, request, today);
            if (!chosen.IsSuccess)
            {
                return chosen.Error!;
            }
            var route = chosen.Value;

            var outer = db.Database.CurrentTransaction;
            await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
            var shipment = Tracking.Shipment.Create(db.TenantId, order.Id, now);
            foreach (var leg in route.Legs)
            {
                var service = catalogue.FindService(leg.ServiceId)!;
                var carrier = catalogue.CarrierOf(service);
                var series = carrier.TrackingNumber.Scheme == NumberScheme.S10
                    ? $"s10:{carrier.TrackingNumber.Country!.Value.Value}:{service.S10ServiceIndicator}"
                    : carrier.Code;
                var serial = await NumberSequences.TakeAsync(db, series, 1, ct);
                if (serial > carrier.TrackingNumber.MaxSerial)
                {
                    return new Error(ErrorKind.Unprocessable, "shipping.numbers_exhausted", $"{carrier.Code} has issued every number of its series {series}.");
                }
                shipment.AddLeg(RoleOf(leg.Role), carrier.Code, catalogue.Numbers.FormatFor(service.Id, serial), now, service.Id, leg.PriceInRequestCurrency);
            }
            // To the minute: the window is an estimate, and both databases then store it exactly.
            var minute = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), now.Offset);
            shipment.Book(route.Total, minute.AddMinutes(Math.Round(route.TransitDaysP50 * 24 * 60)), minute.AddMinutes(Math.Round(route.TransitDaysP90 * 24 * 60)));
            var shipped = order.Ship(now, warehouse.Value.Id); // the order now names the warehouse it ships from
            if (!shipped.IsSuccess)
            {
                return shipped.Error!;
            }
            var saved = await RegisterShipment.SaveWithLegsAsync(db, shipment, shipment.Legs, now, ct);
            if (saved.IsSuccess && own is not null)
            {
                await own.CommitAsync(ct);
            }
            return saved;
        }
    }

    /// <summary>The named service's route, else the strategy's choice among the feasible routes (cheapest first).</summary>
    private static Result<Route> Choose(RateResult quote, string strategy, BookingInput request, DateOnly today)
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
            case Cheapest:
                return quote.Routes[0];
            case Fastest:
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

    private static LegRole? RoleOf(string role) => role switch
    {
        Rates.FirstMile => LegRole.FirstMile,
        Rates.LineHaul => LegRole.LineHaul,
        Rates.LastMile => LegRole.LastMile,
        _ => null, // end to end: one carrier carries it all the way
    };
}
