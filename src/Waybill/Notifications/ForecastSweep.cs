using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Notifications;

/// <summary>What one sweep did: the deliveries learned from, the shipments looked at, the notifications decided.</summary>
public sealed record SweepResult(int Learned, int Active, int ApproachingCustoms, int Delayed, int Stalled);

/// <summary>
/// The predictive notifications, which no event causes: a pass over every tenant's shipments on their way that first
/// relearns the lanes (<see cref="DeliveryForecasts.LearnAsync"/>), then decides
/// <list type="bullet">
/// <item><c>approaching_customs</c> (buyer, once): the parcel has left the origin country, has had no customs scan yet,
/// and the lane's forecast puts import customs within the notice window;</item>
/// <item><c>delayed</c> (buyer, once a day at most, each with a new estimate): the latest delivery promised (at booking,
/// or in the last <c>delayed</c> notice) has passed without delivery;</item>
/// <item><c>stalled</c> (seller, once per last scan): no scan for longer than the lane's 95th-percentile gap at that
/// stage.</item>
/// </list>
/// The rows go to the same outbox as the event-driven ones, unique by (shipment, kind, channel, occurrence), so two
/// replicas sweeping at once, or a sweep repeated, decide each once. The sender renders and sends them.
/// </summary>
public sealed class ForecastSweep(Storage storage, TimeProvider clock, DeliveryForecasts forecasts)
{
    public async Task<SweepResult> RunOnceAsync(CancellationToken ct)
    {
        var total = new SweepResult(0, 0, 0, 0, 0);
        List<Guid> tenants;
        await using (var db = storage.CreateDb())
        {
            tenants = await db.Tenants.AsNoTracking().IgnoreQueryFilters().Select(t => t.Id).ToListAsync(ct);
        }
        foreach (var tenant in tenants)
        {
            var r = await RunForTenantAsync(tenant, ct);
            total = new SweepResult(total.Learned + r.Learned, total.Active + r.Active, total.ApproachingCustoms + r.ApproachingCustoms,
                total.Delayed + r.Delayed, total.Stalled + r.Stalled);
        }
        return total;
    }

    /// <summary>One tenant's part of the sweep.</summary>
    public async Task<SweepResult> RunForTenantAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = storage.CreateDb();
        db.TenantId = tenantId;
        var learned = await forecasts.LearnAsync(db, ct);
        var now = clock.UtcNow();
        var settings = (await new GetSettings.Handler(db).HandleAsync(ct)).Notifications;
        var window = TimeSpan.FromHours(settings.NoticeWindowHours);
        var active = await db.Shipments.AsNoTracking()
            .Where(s => s.Milestone != null && s.Milestone < Milestone.Delivered)
            .Include(s => s.Legs).AsSplitQuery()
            .ToListAsync(ct);
        if (active.Count == 0)
        {
            return new SweepResult(learned, 0, 0, 0, 0);
        }
        var ids = active.Select(s => s.Id).ToList();
        var facts = await JourneyFacts.LoadAsync(db, ids, ct);
        var orderIds = active.Where(s => s.OrderId is not null).Select(s => s.OrderId!.Value).ToList();
        var destinations = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.Id))
            .Select(o => new { o.Id, o.ShipToCountry }).ToDictionaryAsync(o => o.Id, o => o.ShipToCountry, ct);
        string[] kinds = [NotificationKinds.ApproachingCustoms, NotificationKinds.Delayed, NotificationKinds.Stalled];
        var decided = await db.Notifications.AsNoTracking()
            .Where(n => ids.Contains(n.ShipmentId) && kinds.Contains(n.Kind))
            .Select(n => new { n.ShipmentId, n.Kind, n.Occurrence, n.EventAt })
            .ToListAsync(ct);
        var known = decided.Select(n => (n.ShipmentId, n.Kind, n.Occurrence)).ToHashSet();
        var lastDelay = decided.Where(n => n.Kind == NotificationKinds.Delayed && n.EventAt is not null)
            .GroupBy(n => n.ShipmentId).ToDictionary(g => g.Key, g => g.Max(n => n.EventAt!.Value));

        var rows = new List<Notification>();
        var (approaching, delayed, stalled) = (0, 0, 0);
        void Decide(Shipment s, string audience, string kind, long occurrence, long? cause, DateTimeOffset? at)
        {
            if (known.Add((s.Id, kind, occurrence)))
            {
                rows.Add(Notification.Create(db.TenantId, s.Id, audience, kind, "email", occurrence, NotificationStatus.Queued, cause, at, now));
            }
        }
        foreach (var s in active)
        {
            var f = facts.GetValueOrDefault(s.Id);
            CountryCode? destination = s.OrderId is { } o && destinations.TryGetValue(o, out var c) ? c : null;
            var forecast = forecasts.Forecast(db.TenantId, s, f, destination, now);
            var current = s.Milestone!.Value;
            if (s.OrderId is not null)
            {
                // Out of the origin country, before any customs scan, with customs forecast within the window.
                if (current is Milestone.DepartedOriginCountry or Milestone.ArrivedDestinationCountry
                    && forecast.Milestones.FirstOrDefault(m => m.Milestone == TrackingNames.Of(Milestone.AtImportCustoms)) is { } customs
                    && customs.Earliest <= now + window
                    && !known.Contains((s.Id, NotificationKinds.ApproachingCustoms, 0)))
                {
                    Decide(s, "buyer", NotificationKinds.ApproachingCustoms, 0, null, customs.Earliest);
                    approaching++;
                }
                // The latest delivery promised has passed: a new estimate, at most once a (UTC) day.
                var promised = lastDelay.TryGetValue(s.Id, out var told) ? told : s.ExpectedLatest;
                if (promised is { } p && now > p && forecast.Delivery is { } estimate && estimate.Latest > now)
                {
                    var day = now.ToUnixTimeSeconds() / 86_400;
                    if (!known.Contains((s.Id, NotificationKinds.Delayed, day)))
                    {
                        Decide(s, "buyer", NotificationKinds.Delayed, day, null, estimate.Latest);
                        delayed++;
                    }
                }
            }
            // No scan for longer than usual at this stage: the seller hears of it, once per last scan.
            if (s.LastEventAt is { } last && s.LastEventId is { } lastId)
            {
                Lane? lane = f?.Origin is { } origin && (destination ?? f.DeliveredIn) is { } dest
                    ? new Lane(origin, dest, DeliveryForecasts.ServiceKey(s.Legs)) : null;
                if (now - last > forecasts.StallAfter(db.TenantId, lane, current, s.Legs) && !known.Contains((s.Id, NotificationKinds.Stalled, lastId)))
                {
                    Decide(s, "seller", NotificationKinds.Stalled, lastId, lastId, last);
                    stalled++;
                }
            }
        }
        await SaveAsync(db, rows, ct);
        return new SweepResult(learned, active.Count, approaching, delayed, stalled);
    }

    /// <summary>Stores the decisions; when another sweep stored one of them first (the unique key), the others one by one.</summary>
    private static async Task SaveAsync(WaybillDb db, List<Notification> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        db.Notifications.AddRange(rows);
        try
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
        }
        foreach (var row in rows)
        {
            db.Notifications.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                // Decided by another sweep meanwhile: the unique key kept it once.
            }
            db.ChangeTracker.Clear();
        }
    }
}
