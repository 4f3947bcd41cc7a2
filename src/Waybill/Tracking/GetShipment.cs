using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

public static class GetShipment
{
    /// <summary>
    /// Reads a shipment with its order, lane and exceptions; with <paramref name="forecasts"/>, with its delivery forecast
    /// as of the clock's now.
    /// </summary>
    public sealed class Handler(WaybillDb db, DeliveryForecasts? forecasts = null, TimeProvider? clock = null)
    {
        public async Task<Result<ShipmentView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var shipment = await db.Shipments.AsNoTracking().Include(s => s.Legs).SingleOrDefaultAsync(s => s.Id == id, ct);
            if (shipment is null)
            {
                return NotFound(id);
            }
            return (await ShipmentViews.LoadAsync(db, [shipment], forecasts, (clock ?? TimeProvider.System).UtcNow(), ct))[0];
        }
    }

    internal static Error NotFound(Guid id) => Error.NotFound("tracking.shipment_not_found", $"No shipment {id}.");
}

public static class ListShipmentEvents
{
    public sealed class Handler(WaybillDb db)
    {
        /// <summary>Every event of every leg, in time order (ties by rank), unpaged.</summary>
        public async Task<Result<IReadOnlyList<EventView>>> HandleAsync(Guid id, CancellationToken ct)
        {
            var legs = await db.ShipmentLegs.AsNoTracking().Where(l => l.ShipmentId == id).Select(l => new { l.Carrier, l.TrackingNumber }).ToListAsync(ct);
            if (legs.Count == 0)
            {
                return GetShipment.NotFound(id);
            }
            // Found by the legs' keys (the events table's one index); attached events carry the shipment.
            var keys = legs.Select(l => TrackingKeys.LegKeyOf(db.TenantId, l.Carrier, l.TrackingNumber)).ToArray();
            var events = await db.TrackingEvents.AsNoTracking()
                .Where(e => keys.Contains(e.LegKey) && e.ShipmentId == id)
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Milestone).ThenBy(e => e.Code)
                .ToListAsync(ct);
            return events.Select(EventView.Of).ToList();
        }
    }
}

/// <summary>
/// The shipments, newest first (<c>sort=oldest_scan</c>: the last scan oldest first, shipments without a scan last), by
/// tracking number (any leg), status, milestone, a search (<see cref="Request.Search"/>), lane and exception.
/// </summary>
public static class ListShipments
{
    public const string Newest = "newest";
    public const string OldestScan = "oldest_scan";

    public static readonly IReadOnlyList<string> Sorts = [Newest, OldestScan];

    /// <summary>The longest search text taken.</summary>
    public const int MaxSearchLength = 200;

    /// <summary>
    /// <c>Search</c> finds a tracking number (any leg, exactly, spaces and case aside) or an order whose reference, buyer
    /// name or buyer email contains the text (case aside). <c>Origin</c> and <c>Destination</c> (country codes) find the
    /// shipments whose order ships from a warehouse in that country and to that country. <c>Exception</c> is a kind of
    /// <see cref="ShipmentExceptions.Kinds"/> or <c>any</c>. <c>OrderId</c>: only the shipments of that order (the
    /// dashboard's order page).
    /// </summary>
    public sealed record Request(
        string? TrackingNumber, string? Status, string? Milestone, int? Page, int? PageSize,
        string? Search = null, string? Origin = null, string? Destination = null, string? Exception = null, string? Sort = null, Guid? OrderId = null);

    /// <summary>Lists shipments; with <paramref name="forecasts"/>, each with its delivery forecast as of the clock's now.</summary>
    public sealed class Handler(WaybillDb db, DeliveryForecasts? forecasts = null, TimeProvider? clock = null)
    {
        public async Task<Result<PageOf<ShipmentView>>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            TrackingStatus? status = null;
            if (!string.IsNullOrWhiteSpace(request.Status))
            {
                if (TrackingNames.TryParse<TrackingStatus>(request.Status, out var s))
                {
                    status = s;
                }
                else
                {
                    errors.Add("status", $"'{request.Status}' is not a tracking status.");
                }
            }
            Milestone? milestone = null;
            if (!string.IsNullOrWhiteSpace(request.Milestone))
            {
                if (TrackingNames.TryParse<Milestone>(request.Milestone, out var m))
                {
                    milestone = m;
                }
                else
                {
                    errors.Add("milestone", $"'{request.Milestone}' is not a milestone.");
                }
            }
            var search = request.Search?.Trim();
            if (search?.Length > MaxSearchLength)
            {
                errors.Add("search", $"The search is at most {MaxSearchLength} characters.");
            }
            var origin = Country(request.Origin, "origin", errors);
            var destination = Country(request.Destination, "destination", errors);
            var exception = request.Exception?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(exception) && exception != ShipmentExceptions.Any && !ShipmentExceptions.Kinds.Contains(exception))
            {
                errors.Add("exception", $"Not an exception: {ShipmentExceptions.Any}, {string.Join(", ", ShipmentExceptions.Kinds)}.");
            }
            var sort = string.IsNullOrWhiteSpace(request.Sort) ? Newest : request.Sort.Trim().ToLowerInvariant();
            if (!Sorts.Contains(sort))
            {
                errors.Add("sort", $"Not a sort: {string.Join(", ", Sorts)}.");
            }
            var (page, pageSize) = Paging.Check(request.Page, request.PageSize, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("request.invalid_query", "The query has invalid parameters.");
            }

            var now = (clock ?? TimeProvider.System).UtcNow();
            var query = db.Shipments.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(request.TrackingNumber))
            {
                var number = Carriers.NormalizeNumber(request.TrackingNumber);
                query = query.Where(s => s.Legs.Any(l => l.TrackingNumber == number));
            }
            if (!string.IsNullOrEmpty(search))
            {
                // A number by the legs' index; a reference, name or email by the orders' (a scan of the tenant's orders).
                var number = Carriers.NormalizeNumber(search);
                var orders = db.OrderIdsMatching(search);
                query = query.Where(s => s.Legs.Any(l => l.TrackingNumber == number) || (s.OrderId != null && orders.Contains(s.OrderId.Value)));
            }
            if (status is { } st)
            {
                query = query.Where(s => s.Status == st);
            }
            if (milestone is { } ms)
            {
                query = query.Where(s => s.Milestone == ms);
            }
            if (request.OrderId is { } orderId)
            {
                query = query.Where(s => s.OrderId == orderId);
            }
            if (origin is not null || destination is not null)
            {
                var orders = db.Orders.AsQueryable();
                if (destination is { } to)
                {
                    orders = orders.Where(o => o.ShipToCountry == to);
                }
                if (origin is { } from)
                {
                    var warehouses = db.Warehouses;
                    orders = orders.Where(o => warehouses.Any(w => w.Id == o.WarehouseId && w.AddressCountry == from));
                }
                var inLane = orders.Select(o => o.Id);
                query = query.Where(s => s.OrderId != null && inLane.Contains(s.OrderId.Value));
            }
            if (!string.IsNullOrEmpty(exception))
            {
                query = ShipmentExceptions.Where(query, db, exception, now);
            }
            var total = await query.CountAsync(ct);
            var ordered = sort == OldestScan
                ? query.OrderBy(s => s.LastEventAt == null).ThenBy(s => s.LastEventAt).ThenBy(s => s.Id)
                : query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id);
            var shipments = await ordered
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Include(s => s.Legs).AsSplitQuery()
                .ToListAsync(ct);
            var items = await ShipmentViews.LoadAsync(db, shipments, forecasts, now, ct);
            return new PageOf<ShipmentView>(items, total, page, pageSize);
        }

        private static CountryCode? Country(string? text, string field, ValidationErrors errors)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }
            if (CountryCode.TryCreate(text, out var code, out var reason))
            {
                return code;
            }
            errors.Add(field, reason!);
            return null;
        }
    }
}

/// <summary>Reusable reads of shipments.</summary>
public static class ShipmentQueries
{
    /// <summary>
    /// The lanes the tenant's shipments run on, as their orders name them (the warehouse's country to the ship-to
    /// country), ordered by origin then destination: the choices of a lane filter.
    /// </summary>
    public static async Task<IReadOnlyList<LaneView>> LanesAsync(this WaybillDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var shipments = db.Shipments;
        var lanes = await (
            from o in db.Orders
            join w in db.Warehouses on o.WarehouseId equals (Guid?)w.Id
            where shipments.Any(s => s.OrderId == o.Id)
            select new { From = w.AddressCountry, To = o.ShipToCountry })
            .Distinct()
            .ToListAsync(ct);
        return lanes.Select(l => new LaneView(l.From.Value, l.To.Value))
            .OrderBy(l => l.Origin, StringComparer.Ordinal).ThenBy(l => l.Destination, StringComparer.Ordinal).ToList();
    }
}
