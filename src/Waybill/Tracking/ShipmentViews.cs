using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>
/// The views of some shipments (loaded with their legs), with what each needs besides its row, loaded together in a few
/// queries by key: the last events, the orders (reference, buyer, ship-to) and their warehouses' countries, the
/// journeys (<see cref="Journeys"/>), the forecast sweep's stall alerts, and with <paramref name="forecasts"/> the forecasts.
/// </summary>
internal static class ShipmentViews
{
    public static async Task<List<ShipmentView>> LoadAsync(
        WaybillDb db, IReadOnlyList<Shipment> shipments, DeliveryForecasts? forecasts, DateTimeOffset now, CancellationToken ct)
    {
        if (shipments.Count == 0)
        {
            return [];
        }
        var ids = shipments.Select(s => s.Id).ToList();
        var lastIds = shipments.Where(s => s.LastEventId is not null).Select(s => s.LastEventId!.Value).ToList();
        var last = await db.TrackingEvents.AsNoTracking().Where(e => lastIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        var orderIds = shipments.Where(s => s.OrderId is not null).Select(s => s.OrderId!.Value).Distinct().ToList();
        var orders = orderIds.Count == 0 ? []
            : await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id))
                .Select(o => new OrderFacts(o.Id, o.Reference, o.BuyerName, o.WarehouseId))
                .ToDictionaryAsync(o => o.Id, ct);
        var warehouseIds = orders.Values.Where(o => o.WarehouseId is not null).Select(o => o.WarehouseId!.Value).Distinct().ToList();
        var origins = warehouseIds.Count == 0 ? []
            : await db.Warehouses.AsNoTracking().Where(w => warehouseIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.AddressCountry, ct);
        // The stall alerts of these shipments (by the notifications' unique index); one for the last scan means no scan since.
        var stalled = (await db.Notifications.AsNoTracking()
                .Where(n => ids.Contains(n.ShipmentId) && n.Kind == NotificationKinds.Stalled && n.Channel == "email")
                .Select(n => new { n.ShipmentId, n.Occurrence })
                .ToListAsync(ct))
            .Select(n => (n.ShipmentId, n.Occurrence)).ToHashSet();
        var journeys = await Journeys.LoadAsync(db, shipments, ct);

        var views = new List<ShipmentView>(shipments.Count);
        foreach (var s in shipments)
        {
            var lastEvent = s.LastEventId is { } id ? last.GetValueOrDefault(id) : null;
            var facts = journeys.FactsOf(s);
            var destination = journeys.DestinationOf(s);
            var forecast = forecasts?.Forecast(db.TenantId, s, facts, destination, now);
            var order = s.OrderId is { } o ? orders.GetValueOrDefault(o) : null;
            CountryCode? origin = order?.WarehouseId is { } w && origins.TryGetValue(w, out var country) ? country : facts?.Origin;
            var exceptions = ShipmentExceptions.Of(
                s, lastEvent?.ExceptionReason, s.LastEventId is { } lastId && stalled.Contains((s.Id, lastId)), facts, now);
            views.Add(ShipmentView.Of(s, lastEvent, forecast) with
            {
                Order = order is null ? null : new ShipmentOrderView(order.Reference, order.BuyerName),
                Lane = origin is null && destination is null ? null : new LaneView(origin?.Value, destination?.Value),
                Exceptions = exceptions,
            });
        }
        return views;
    }

    private sealed record OrderFacts(Guid Id, string Reference, string BuyerName, Guid? WarehouseId);
}
