using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Shipping.Sandbox;

/// <summary>
/// The demo seller's order flow on the sandbox network, for one tenant: orders numbered 1, 2, 3, ... are created and
/// booked in batches (<see cref="CreateOrders"/>, <see cref="BookShipments"/>), each booked shipment's journey is planned
/// (<see cref="SandboxNetwork.Plan"/>) and its events wait until their time comes; <see cref="IngestDueAsync"/> then sends
/// them through ingest (<see cref="IngestEvents"/>) in time order, as carrier feeds would. Order <c>n</c> and its journey
/// are drawn from streams of the seed and <c>n</c> alone, so a seed gives the same orders and journeys in any batching,
/// and a restarted server finds the same future for the parcels it had (<see cref="ResumeAsync"/>).
/// Used by <c>waybill simulate</c> and by the embedded server's demo. Not thread-safe: one caller at a time.
/// </summary>
public sealed class SandboxFlow
{
    private readonly Storage _storage;
    private readonly Guid _tenantId;
    private readonly EventWriter _writer;
    private readonly ulong _seed;
    private readonly string _prefix;
    private readonly PriorityQueue<NetworkEvent, (DateTimeOffset At, long Order)> _due = new();
    private readonly Dictionary<string, int> _notBooked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _rejected = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, Guid>? _warehouseIds;
    private long _enqueued;

    /// <param name="prefix">The orders' references: <c>{prefix}-{n:D7}</c>.</param>
    public SandboxFlow(Storage storage, Guid tenantId, EventWriter writer, ulong seed, string prefix)
    {
        _storage = storage;
        _tenantId = tenantId;
        _writer = writer;
        _seed = seed;
        _prefix = prefix;
    }

    public DemoShop Shop { get; } = DemoShop.Default;

    public SandboxNetwork Network { get; } = SandboxNetwork.Default;

    /// <summary>Events planned and not yet sent.</summary>
    public int Waiting => _due.Count;

    /// <summary>The time of the next event waiting, if any.</summary>
    public DateTimeOffset? NextAt => _due.TryPeek(out _, out var key) ? key.At : null;

    /// <summary>The latest time any planned event happens (the end of the last journey planned so far).</summary>
    public DateTimeOffset? LastAt { get; private set; }

    public long Booked { get; private set; }

    public long Planned { get; private set; }

    public long Sent { get; private set; }

    public long Accepted { get; private set; }

    public long Duplicates { get; private set; }

    public long Unmatched { get; private set; }

    /// <summary>Orders not booked, by error code.</summary>
    public IReadOnlyDictionary<string, int> NotBooked => _notBooked;

    /// <summary>Events ingest refused, by rejection code (none, unless the network and ingest disagree).</summary>
    public IReadOnlyDictionary<string, int> Rejected => _rejected;

    public string ReferenceOf(long n) => $"{_prefix}-{n:D7}";

    /// <summary>The tenant's demo warehouses (created when missing).</summary>
    public async Task<IReadOnlyDictionary<string, Guid>> WarehousesAsync(TimeProvider clock, CancellationToken ct)
    {
        if (_warehouseIds is null)
        {
            await using var db = Open();
            _warehouseIds = await Shop.EnsureWarehousesAsync(db, clock, ct);
        }
        return _warehouseIds;
    }

    /// <summary>
    /// Creates and books orders <paramref name="numbers"/> at the clock's time (at most <see cref="CreateOrders.MaxBatch"/>),
    /// and plans their journeys. An order whose default strategy finds no route on time is booked on the cheapest.
    /// </summary>
    public async Task BookAsync(IReadOnlyList<long> numbers, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Count == 0)
        {
            return;
        }
        var warehouses = await WarehousesAsync(clock, ct);
        await using var db = Open();
        var orders = numbers.Select(n => Shop.OrderOf(SplitMix64.SeedOf(_seed, $"order {n}"), ReferenceOf(n), warehouses)).ToList();
        var created = await new CreateOrders.Handler(db, clock).HandleAsync(orders.Select(o => o.Input).ToList(), ct);
        var requests = new List<BookShipments.Request>(numbers.Count);
        var origins = new Dictionary<Guid, (long Number, DemoOrder Demo, Order Order)>(numbers.Count);
        for (var i = 0; i < numbers.Count; i++)
        {
            if (created[i].Error is { } error)
            {
                Count(_notBooked, error.Code);
                continue;
            }
            var order = created[i].Order!;
            origins[order.Id] = (numbers[i], orders[i], order);
            requests.Add(new BookShipments.Request(order.Id, new BookingInput(orders[i].Strategy)));
        }
        var handler = new BookShipments.Handler(db, clock);
        var outcomes = (await handler.HandleAsync(requests, ct)).ToList();
        var late = outcomes.Where(o => o.Error?.Code == NoRouteOnTime).Select(o => new BookShipments.Request(o.OrderId, new BookingInput(BookShipment.Cheapest))).ToList();
        if (late.Count > 0)
        {
            outcomes.RemoveAll(o => o.Error?.Code == NoRouteOnTime);
            outcomes.AddRange(await handler.HandleAsync(late, ct));
        }
        foreach (var outcome in outcomes)
        {
            if (outcome.Error is { } error)
            {
                Count(_notBooked, error.Code);
                continue;
            }
            var (number, demo, order) = origins[outcome.OrderId];
            Booked++;
            Schedule(outcome.Shipment!, demo.From.Place, order, number, after: null);
        }
    }

    private const string NoRouteOnTime = "shipping.no_route_on_time";

    /// <summary>
    /// After a restart: plans again the journeys of the tenant's flow shipments that have not ended (not delivered,
    /// not returned) and were booked since <paramref name="since"/>, and queues their events after the last one stored
    /// (a plan is a pure function of its journey and seed, so the future is the one the previous run would have seen).
    /// Answers the highest order number found, so that new orders continue after it.
    /// </summary>
    public async Task<long> ResumeAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var db = Open();
        var pattern = _prefix + "-";
        var highest = await db.Orders.Where(o => o.Reference.StartsWith(pattern)).Select(o => o.Reference).MaxAsync(r => (string?)r, ct);
        var open = await (
            from s in db.Shipments.AsNoTracking().Include(s => s.Legs)
            join o in db.Orders.AsNoTracking() on s.OrderId equals o.Id
            join w in db.Warehouses.AsNoTracking() on o.WarehouseId equals w.Id
            where o.Reference.StartsWith(pattern) && s.CreatedAt >= since
                && s.Status != TrackingStatus.Delivered && s.Milestone != Milestone.ReturnedToSender
            select new { Shipment = s, Order = o, Warehouse = w }).ToListAsync(ct);
        foreach (var row in open)
        {
            if (!long.TryParse(row.Order.Reference.AsSpan(pattern.Length), out var number))
            {
                continue;
            }
            var from = Shop.WarehouseOf(row.Warehouse.Code)?.Place
                ?? new SandboxPlace(row.Warehouse.AddressCountry, row.Warehouse.AddressCity, row.Warehouse.AddressPostalCode, Network.Places.HubOf(row.Warehouse.AddressCountry).Zone);
            Schedule(row.Shipment, from, row.Order, number, after: row.Shipment.LastEventAt);
        }
        return highest is not null && long.TryParse(highest.AsSpan(pattern.Length), out var n) ? n : 0;
    }

    private void Schedule(Shipment shipment, SandboxPlace from, Order order, long number, DateTimeOffset? after)
    {
        var journey = DemoShop.JourneyOf(shipment, from, order, Network.Places);
        var plan = Network.Plan(journey, SplitMix64.SeedOf(_seed, $"journey {number}"));
        foreach (var e in plan.Events)
        {
            if (after is null || e.At > after)
            {
                _due.Enqueue(e, (e.At, _enqueued++));
                Planned++;
            }
        }
        LastAt = LastAt is { } last && last > plan.End ? last : plan.End;
    }

    /// <summary>Sends every event due by <paramref name="until"/> through ingest, in time order, in batches.</summary>
    /// <exception cref="InvalidOperationException">Ingest refused a whole batch (it never should).</exception>
    public async Task<int> IngestDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        var events = new List<EventInput>();
        while (_due.TryPeek(out _, out var key) && key.At <= until)
        {
            events.Add(_due.Dequeue().Input);
        }
        if (events.Count == 0)
        {
            return 0;
        }
        await using var db = Open();
        var handler = new IngestEvents.Handler(db, _writer);
        // Batches go together: the writer commits what waits in one transaction.
        var results = await Task.WhenAll(events.Chunk(IngestEvents.MaxBatch)
            .Select(batch => Task.Run(() => handler.HandleAsync(new IngestEvents.Request(batch), ct), ct)));
        foreach (var result in results)
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
                Count(_rejected, r.Code);
            }
        }
        Sent += events.Count;
        return events.Count;
    }

    private WaybillDb Open()
    {
        var db = _storage.CreateDb();
        db.TenantId = _tenantId;
        return db;
    }

    private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
