using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Notifications;

/// <summary>What one sweep did: the deliveries learned from, the shipments looked at, the notifications decided.</summary>
public sealed record SweepResult(int Learned, int Active, int ApproachingCustoms, int Delayed, int Stalled, int FailedTenants = 0, string? FirstError = null);

/// <summary>
/// The predictive notifications, which no event causes: a pass over every tenant's shipments on their way that first
/// relearns the lanes (<see cref="DeliveryForecasts.LearnAsync"/>), then decides
/// <list type="bullet">
/// <item><c>approaching_customs</c> (buyer, once): the parcel has left the origin country, has had no customs scan yet,
/// and the lane's forecast puts import customs within the notice window;</item>
/// <item><c>delayed</c> (buyer, once a day at most, each with a new estimate): the latest delivery promised (at booking,
/// else the lane's from the first scan; or in the last <c>delayed</c> notice) has passed without delivery;</item>
/// <item><c>stalled</c> (seller, once per last scan): no scan for longer than the lane's 95th-percentile gap at that
/// stage.</item>
/// </list>
/// The rows go to the same outbox as the event-driven ones, unique by (shipment, kind, channel, occurrence), so two
/// replicas sweeping at once, or a sweep repeated, decide each once. The sender renders and sends them.
/// </summary>
public sealed class ForecastSweep(Storage storage, TimeProvider clock, DeliveryForecasts forecasts)
{
    /// <summary>Lanes are relearned on the first pass and every this many passes after (every 10 minutes at the worker's 30 s).</summary>
    public const int LearnEvery = 20;

    /// <summary>A parcel with no scan for this long is not looked at any more (lost, abandoned): the seller was alerted when it stalled.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(60);

    private int _passes;

    /// <summary>
    /// One pass over every tenant. A tenant whose part fails is counted in <see cref="SweepResult.FailedTenants"/>
    /// (with the first error) and the pass goes on with the others.
    /// </summary>
    public async Task<SweepResult> RunOnceAsync(CancellationToken ct)
    {
        var learn = _passes++ % LearnEvery == 0;
        var total = new SweepResult(0, 0, 0, 0, 0);
        foreach (var tenant in await TenantsAsync(ct))
        {
            try
            {
                var r = await RunForTenantAsync(tenant, ct, learn);
                total = total with
                {
                    Learned = total.Learned + r.Learned,
                    Active = total.Active + r.Active,
                    ApproachingCustoms = total.ApproachingCustoms + r.ApproachingCustoms,
                    Delayed = total.Delayed + r.Delayed,
                    Stalled = total.Stalled + r.Stalled,
                };
            }
#pragma warning disable CA1031 // One tenant's failure (its data, its settings) must not stop the others' notifications; it is reported.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                total = total with { FailedTenants = total.FailedTenants + 1, FirstError = total.FirstError ?? $"tenant {tenant}: {ex.GetType().Name}: {ex.Message}" };
            }
        }
        return total;
    }

    /// <summary>
    /// Relearns every tenant's lanes without deciding anything: for a replica that serves the API but does not send
    /// (<c>--notifications-worker false</c>), so its shipment views show the lanes' figures too. Answers the deliveries learned from.
    /// </summary>
    public async Task<int> LearnAllAsync(CancellationToken ct)
    {
        var learned = 0;
        foreach (var tenant in await TenantsAsync(ct))
        {
            await using var db = storage.CreateDb();
            db.TenantId = tenant;
            learned += await forecasts.LearnAsync(db, ct);
        }
        return learned;
    }

    private async Task<List<Guid>> TenantsAsync(CancellationToken ct)
    {
        await using var db = storage.CreateDb();
        return await db.Tenants.AsNoTracking().IgnoreQueryFilters().Select(t => t.Id).ToListAsync(ct);
    }

    /// <summary>One tenant's part of the sweep.</summary>
    public async Task<SweepResult> RunForTenantAsync(Guid tenantId, CancellationToken ct, bool learn = true)
    {
        await using var db = storage.CreateDb();
        db.TenantId = tenantId;
        var learned = learn ? await forecasts.LearnAsync(db, ct) : 0;
        var now = clock.UtcNow();
        var horizon = now - Horizon;
        var settings = (await new GetSettings.Handler(db).HandleAsync(ct)).Notifications;
        var window = TimeSpan.FromHours(settings.NoticeWindowHours);
        var active = await db.Shipments.AsNoTracking()
            .Where(s => s.Milestone != null && s.Milestone < Milestone.Delivered && s.LastEventAt > horizon)
            .Include(s => s.Legs).AsSplitQuery()
            .ToListAsync(ct);
        if (active.Count == 0)
        {
            return new SweepResult(learned, 0, 0, 0, 0);
        }
        var ids = active.Select(s => s.Id).ToList();
        var journeys = await Journeys.LoadAsync(db, active, ct);
        string[] kinds = [NotificationKinds.ApproachingCustoms, NotificationKinds.Delayed, NotificationKinds.Stalled];
        var decided = await db.Notifications.AsNoTracking()
            .Where(n => ids.Contains(n.ShipmentId) && kinds.Contains(n.Kind))
            .Select(n => new { n.ShipmentId, n.Kind, n.Occurrence, n.EventAt, n.CreatedAt })
            .ToListAsync(ct);
        var known = decided.Select(n => (n.ShipmentId, n.Kind, n.Occurrence)).ToHashSet();
        var lastDelay = decided.Where(n => n.Kind == NotificationKinds.Delayed && n.EventAt is not null)
            .GroupBy(n => n.ShipmentId).ToDictionary(g => g.Key, g => g.OrderBy(n => n.CreatedAt).Last());

        var rows = new List<Notification>();
        var (approaching, delayed, stalled) = (0, 0, 0);
        void Decide(Shipment s, string audience, string kind, long occurrence, long? cause, DateTimeOffset? at, DateTimeOffset? estimateFrom = null)
        {
            if (known.Add((s.Id, kind, occurrence)))
            {
                var row = Notification.Create(db.TenantId, s.Id, audience, kind, "email", occurrence, NotificationStatus.Queued, cause, at, now);
                rows.Add(estimateFrom is { } from ? row.WithEstimate(from) : row);
            }
        }
        foreach (var s in active)
        {
            var f = journeys.FactsOf(s);
            var destination = journeys.DestinationOf(s);
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
                // The latest delivery promised (at booking, or in the last notice) has passed: a new estimate, fixed now,
                // at most once a day (a UTC day's occurrence, and 24 h since the last notice).
                var told = lastDelay.GetValueOrDefault(s.Id);
                var promised = told?.EventAt ?? forecasts.Promise(db.TenantId, s, f, destination);
                if (promised is { } p && now > p && (told is null || now - told.CreatedAt >= TimeSpan.FromDays(1))
                    && forecast.Delivery is { } estimate && estimate.Latest > now)
                {
                    var day = now.ToUnixTimeSeconds() / 86_400;
                    if (!known.Contains((s.Id, NotificationKinds.Delayed, day)))
                    {
                        Decide(s, "buyer", NotificationKinds.Delayed, day, null, estimate.Latest, estimate.Earliest);
                        delayed++;
                    }
                }
            }
            // No scan for longer than usual at this stage: the seller hears of it, once per last scan.
            if (s.LastEventAt is { } last && s.LastEventId is { } lastId)
            {
                Lane? lane = f?.Origin is { } origin && destination is { } dest
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
