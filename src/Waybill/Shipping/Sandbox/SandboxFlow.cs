using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Shipping.Sandbox;

/// <summary>
/// The demo seller's order flow on the sandbox network, for one tenant: orders numbered 1, 2, 3, ... are created and
/// booked in batches (<see cref="CreateOrders"/>, <see cref="BookShipments"/>). With a queue (<c>waybill simulate</c>),
/// each booked shipment's journey is planned at once (<see cref="SandboxNetwork.Plan"/>) and its events wait in the
/// queue until their time comes; order <c>n</c> and its journey are drawn from streams of the seed and <c>n</c> alone,
/// so a seed gives the same orders and journeys in any batching. Without one (the server's demo), the server's
/// <see cref="SandboxTraffic"/> finds the shipments and moves them like any other. Not thread-safe: one caller at a time.
/// </summary>
public sealed class SandboxFlow
{
    private readonly Storage _storage;
    private readonly Guid _tenantId;
    private readonly NetworkFeed? _queue;
    private readonly ulong _seed;
    private readonly string _prefix;
    private readonly Dictionary<string, int> _notBooked = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, Guid>? _warehouseIds;

    /// <param name="queue">Where booked journeys' events go; null to leave the shipments to <see cref="SandboxTraffic"/>.</param>
    /// <param name="prefix">The orders' references: <c>{prefix}-{n:D7}</c>.</param>
    public SandboxFlow(Storage storage, Guid tenantId, NetworkFeed? queue, ulong seed, string prefix)
    {
        _storage = storage;
        _tenantId = tenantId;
        _queue = queue;
        _seed = seed;
        _prefix = prefix;
    }

    public DemoShop Shop { get; } = DemoShop.Default;

    public SandboxNetwork Network { get; } = SandboxNetwork.Default;

    public long Booked { get; private set; }

    /// <summary>Orders not booked, by error code.</summary>
    public IReadOnlyDictionary<string, int> NotBooked => _notBooked;

    public string ReferenceOf(long n) => $"{_prefix}-{n:D7}";

    /// <summary>The tenant's demo warehouses (created when missing).</summary>
    public async Task<IReadOnlyDictionary<string, Guid>> WarehousesAsync(TimeProvider clock, CancellationToken ct)
    {
        if (_warehouseIds is null)
        {
            await using var db = _storage.CreateDb(_tenantId);
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
        await using var db = _storage.CreateDb(_tenantId);
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
            if (_queue is not null)
            {
                Schedule(outcome.Shipment!, demo.From.Place, order, number);
            }
        }
    }

    private const string NoRouteOnTime = "shipping.no_route_on_time";

    /// <summary>The highest order number of the flow in the database (0 when none): new orders continue after it.</summary>
    public async Task<long> HighestNumberAsync(CancellationToken ct)
    {
        await using var db = _storage.CreateDb(_tenantId);
        var pattern = _prefix + "-";
        var highest = await db.Orders.Where(o => o.Reference.StartsWith(pattern)).Select(o => o.Reference).MaxAsync(r => (string?)r, ct);
        return highest is not null && long.TryParse(highest.AsSpan(pattern.Length), out var n) ? n : 0;
    }

    private void Schedule(Shipment shipment, SandboxPlace from, Order order, long number)
    {
        var plan = Network.Plan(DemoShop.JourneyOf(shipment, from, order, Network.Places), SplitMix64.SeedOf(_seed, $"journey {number}"));
        _queue!.Enqueue(_tenantId, plan);
    }


    private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
