using Microsoft.EntityFrameworkCore;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Shipping.Sandbox;

/// <summary>
/// The sandbox network's events waiting for their time, for any tenant: enqueued when a journey is planned, sent
/// through ingest (<see cref="IngestEvents"/>, the path of real carrier feeds) in time order when they fall due.
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class NetworkFeed(Storage storage, EventWriter writer)
{
    private readonly PriorityQueue<(Guid Tenant, EventInput Input), (DateTimeOffset At, long Order)> _due = new();
    private readonly Dictionary<string, int> _rejected = new(StringComparer.Ordinal);
    private long _enqueued;

    /// <summary>Events planned and not yet sent.</summary>
    public int Waiting => _due.Count;

    /// <summary>The time of the next event waiting, if any.</summary>
    public DateTimeOffset? NextAt => _due.TryPeek(out _, out var key) ? key.At : null;

    public long Planned { get; private set; }

    public long Sent { get; private set; }

    public long Accepted { get; private set; }

    public long Duplicates { get; private set; }

    public long Unmatched { get; private set; }

    /// <summary>Events ingest refused, by rejection code (none, unless the network and ingest disagree).</summary>
    public IReadOnlyDictionary<string, int> Rejected => _rejected;

    /// <summary>Queues a plan's events (those after <paramref name="after"/>, when given: the ones not sent before).</summary>
    public void Enqueue(Guid tenantId, JourneyPlan plan, DateTimeOffset? after = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var e in plan.Events)
        {
            if (after is null || e.At > after)
            {
                _due.Enqueue((tenantId, e.Input), (e.At, _enqueued++));
                Planned++;
            }
        }
    }

    /// <summary>Sends every event due by <paramref name="until"/> through ingest, in time order, in batches per tenant.</summary>
    /// <exception cref="InvalidOperationException">Ingest refused a whole batch (it never should).</exception>
    public async Task<int> IngestDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        var events = new List<(Guid Tenant, EventInput Input)>();
        while (_due.TryPeek(out _, out var key) && key.At <= until)
        {
            events.Add(_due.Dequeue());
        }
        if (events.Count == 0)
        {
            return 0;
        }
        var batches = new List<Task<Common.Result<IngestEvents.Response>>>();
        var contexts = new List<WaybillDb>();
        try
        {
            foreach (var tenant in events.GroupBy(e => e.Tenant))
            {
                var db = storage.CreateDb(tenant.Key);
                contexts.Add(db);
                var handler = new IngestEvents.Handler(db, writer);
                // Batches go together: the writer commits what waits in one transaction.
                batches.AddRange(tenant.Select(e => e.Input).Chunk(IngestEvents.MaxBatch)
                    .Select(batch => Task.Run(() => handler.HandleAsync(new IngestEvents.Request(batch), ct), ct)));
            }
            foreach (var result in await Task.WhenAll(batches))
            {
                if (!result.IsSuccess)
                {
                    throw new InvalidOperationException($"Ingest refused a batch of the sandbox network's events: {result.Error!.Message}");
                }
                Accepted += result.Value.Accepted;
                Duplicates += result.Value.Duplicates;
                Unmatched += result.Value.Unmatched;
                foreach (var r in result.Value.Rejected)
                {
                    _rejected[r.Code] = _rejected.GetValueOrDefault(r.Code) + 1;
                }
            }
        }
        finally
        {
            foreach (var db in contexts)
            {
                await db.DisposeAsync();
            }
        }
        Sent += events.Count;
        return events.Count;
    }
}

/// <summary>
/// The sandbox network at work in a server: it finds every shipment booked on sandbox services (any tenant, through
/// the API or the demo), plans its journey (<see cref="SandboxNetwork.Plan"/>, seeded by the run's seed and the first
/// leg's number, so that a restart plans the same journey) and queues its events for <see cref="NetworkFeed"/>.
/// The first scan takes the shipments under way (booked in the last <see cref="Horizon"/>, not delivered nor
/// returned) and queues only the events after the last one stored; later scans take shipments booked since.
/// </summary>
/// <param name="skipped">Told of each shipment the network cannot move (its id and why), so that the caller can say so.</param>
public sealed class SandboxTraffic(Storage storage, NetworkFeed queue, ulong seed, Action<Guid, string>? skipped = null)
{
    /// <summary>How far back a restart looks for parcels under way: longer than any journey.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(120);

    /// <summary>Bookings commit a little after their time: each scan looks this far behind the latest booking seen.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromHours(1);

    private readonly HashSet<Guid> _known = [];
    private readonly SandboxNetwork _network = SandboxNetwork.Default;
    private DateTimeOffset? _since;

    public NetworkFeed Queue => queue;

    /// <summary>Plans the journeys of sandbox shipments not seen yet; answers how many.</summary>
    public async Task<int> DiscoverAsync(DateTimeOffset now, CancellationToken ct)
    {
        var first = _since is null;
        var since = _since ?? now - Horizon;
        await using var db = storage.CreateDb();
        var rows = await (
            from s in db.Shipments.IgnoreQueryFilters().AsNoTracking().Include(s => s.Legs)
            join o in db.Orders.IgnoreQueryFilters().AsNoTracking() on s.OrderId equals o.Id
            join w in db.Warehouses.IgnoreQueryFilters().AsNoTracking() on o.WarehouseId equals w.Id
            where s.CreatedAt >= since
                && s.Legs.Any(l => l.Service != null && EF.Functions.Like(l.Carrier, "sbx-%"))
                && (!first || (s.Status != TrackingStatus.Delivered && s.Milestone != Milestone.ReturnedToSender))
            select new { Shipment = s, Order = o, Warehouse = w }).ToListAsync(ct);
        var found = 0;
        foreach (var row in rows.Where(r => !_known.Contains(r.Shipment.Id)))
        {
            _known.Add(row.Shipment.Id);
            var shipment = row.Shipment;
            if (shipment.Legs.FirstOrDefault(l => l.Service is null || _network.Catalogue.FindService(l.Service) is null) is { } foreign)
            {
                skipped?.Invoke(shipment.Id, $"leg {foreign.Carrier} {foreign.TrackingNumber} is not on a sandbox service");
                continue;
            }
            var from = DemoShop.Default.WarehouseOf(row.Warehouse.Code) is { } demo && demo.Country == row.Warehouse.AddressCountry && demo.City == row.Warehouse.AddressCity
                ? demo.Place
                : new SandboxPlace(row.Warehouse.AddressCountry, row.Warehouse.AddressCity, row.Warehouse.AddressPostalCode, _network.Places.HubOf(row.Warehouse.AddressCountry).Zone);
            JourneyPlan plan;
            try
            {
                plan = _network.Plan(DemoShop.JourneyOf(shipment, from, row.Order, _network.Places), SeedOf(shipment));
            }
            catch (ArgumentException ex)
            {
                // Booked on a route the catalogue no longer serves: the network cannot move it.
                skipped?.Invoke(shipment.Id, ex.Message);
                continue;
            }
            queue.Enqueue(shipment.TenantId, plan, first ? shipment.LastEventAt : null);
            found++;
        }
        var latest = rows.Count == 0 ? since : rows.Max(r => r.Shipment.CreatedAt);
        _since = (latest - Overlap) > since ? latest - Overlap : since;
        // Forget what no scan can return any more.
        if (_known.Count > 100_000)
        {
            _known.IntersectWith(rows.Select(r => r.Shipment.Id));
        }
        return found;
    }

    private ulong SeedOf(Shipment shipment)
    {
        var leg = shipment.Legs.OrderBy(l => l.Sequence).First();
        return Common.SplitMix64.SeedOf(seed, $"{leg.Carrier}:{leg.TrackingNumber}");
    }
}
