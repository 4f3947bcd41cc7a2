using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tracking;

public static class GetShipment
{
    /// <summary>Reads a shipment; with <paramref name="forecasts"/>, with its delivery forecast as of the clock's now.</summary>
    public sealed class Handler(WaybillDb db, DeliveryForecasts? forecasts = null, TimeProvider? clock = null)
    {
        public async Task<Result<ShipmentView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var shipment = await db.Shipments.AsNoTracking().Include(s => s.Legs).SingleOrDefaultAsync(s => s.Id == id, ct);
            if (shipment is null)
            {
                return NotFound(id);
            }
            var last = shipment.LastEventId is { } e ? await db.TrackingEvents.AsNoTracking().SingleOrDefaultAsync(x => x.Id == e, ct) : null;
            var forecast = forecasts is null || clock is null ? null
                : (await forecasts.ForecastAsync(db, [shipment], clock.UtcNow(), ct))[shipment.Id];
            return ShipmentView.Of(shipment, last, forecast);
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

public static class ListShipments
{
    /// <summary><paramref name="OrderId"/>: only the shipments of that order (the dashboard's order page).</summary>
    public sealed record Request(string? TrackingNumber, string? Status, string? Milestone, int? Page, int? PageSize, Guid? OrderId = null);

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
            var (page, pageSize) = Paging.Check(request.Page, request.PageSize, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("request.invalid_query", "The query has invalid parameters.");
            }

            var query = db.Shipments.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(request.TrackingNumber))
            {
                var number = Carriers.NormalizeNumber(request.TrackingNumber);
                query = query.Where(s => s.Legs.Any(l => l.TrackingNumber == number));
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
            var total = await query.CountAsync(ct);
            var shipments = await query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Include(s => s.Legs).AsSplitQuery()
                .ToListAsync(ct);
            var lastIds = shipments.Where(s => s.LastEventId is not null).Select(s => s.LastEventId!.Value).ToArray();
            var last = await db.TrackingEvents.AsNoTracking().Where(e => lastIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
            var forecast = forecasts is null || clock is null ? [] : await forecasts.ForecastAsync(db, shipments, clock.UtcNow(), ct);
            var items = shipments.Select(s => ShipmentView.Of(s, s.LastEventId is { } id ? last.GetValueOrDefault(id) : null, forecast.GetValueOrDefault(s.Id))).ToList();
            return new PageOf<ShipmentView>(items, total, page, pageSize);
        }
    }
}
