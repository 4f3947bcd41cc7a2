using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Shipping.Sandbox;

/// <summary>A clock that stands still until it is set: simulated time, moved by whoever runs the simulation.</summary>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// <c>waybill simulate</c>: the demo seller's orders, placed evenly over a number of days, created and booked in
/// batches (<see cref="CreateOrders"/>, <see cref="BookShipments"/>) as simulated time passes, and carried to the end by
/// the sandbox network, whose events enter through ingest (<see cref="IngestEvents"/>) when they happen. Time moves in
/// steps of three hours: in each step the orders placed in it are booked at its end, and the events that happened in it
/// are ingested, in time order. Everything runs on one simulated clock from <see cref="Start"/>, so a seed gives the same
/// orders, bookings, journeys and summary every time.
/// </summary>
public static class SandboxSimulation
{
    /// <summary>The simulated start: a Monday, fixed so that rates, exchange rates and working days are the same every run.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Step = TimeSpan.FromHours(3);

    public const int MaxOrders = 1_000_000; // every planned event waits in memory until its time: about 13 events an order

    public const int MaxDays = 365;

    private const int StepsPerDay = 8;

    public sealed record Options(int Orders, ulong Seed, int Days = 7);

    public enum Phase
    {
        Booking,
        Moving,
        Summarising,
    }

    /// <summary>Progress: orders booked (of all) while booking, then events ingested (of all planned).</summary>
    public readonly record struct Progress(Phase Phase, long Done, long Total, DateTimeOffset SimulatedNow);

    public sealed record Tally(string Name, int Count);

    public sealed record LaneTransit(string Origin, string Destination, int Delivered, double P50Days, double P90Days);

    /// <summary>What happened, read back from the database (statuses, exceptions, transit) and from ingest's answers (events).</summary>
    public sealed record Summary(
        int Orders,
        int Booked,
        IReadOnlyList<Tally> NotBooked,
        IReadOnlyList<Tally> FinalStatus,
        IReadOnlyList<Tally> Exceptions,
        IReadOnlyList<LaneTransit> Lanes,
        long EventsSent,
        long EventsAccepted,
        long Duplicates,
        long Unmatched,
        IReadOnlyList<Tally> Rejected,
        DateTimeOffset SimulatedEnd,
        TimeSpan Elapsed,
        TimeSpan IngestTime);

    /// <summary>Runs the simulation for the tenant (its warehouses are created when missing) and answers the summary.</summary>
    public static async Task<Summary> RunAsync(Storage storage, Guid tenantId, Options options, IProgress<Progress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Orders, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Orders, MaxOrders, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Days, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Days, MaxDays, nameof(options));

        var stopwatch = Stopwatch.StartNew();
        var ingesting = new Stopwatch();
        var clock = new SimulatedClock(Start);
        await using var writer = new EventWriter(storage, clock);
        // References of this run: unique however many runs share the database; nothing else depends on them.
        var run = $"SIM-{Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()}";
        var queue = new NetworkFeed(storage, writer);
        var flow = new SandboxFlow(storage, tenantId, queue, options.Seed, run);
        await flow.WarehousesAsync(clock, ct);
        var span = TimeSpan.FromDays(options.Days);
        var next = 1L; // the next order to place

        for (var step = 0L; next <= options.Orders || queue.Waiting > 0; step++)
        {
            ct.ThrowIfCancellationRequested();
            var end = Start + (Step * (step + 1));
            clock.Now = end;

            // The orders placed in this step (evenly over the period), booked at its end.
            var placed = new List<long>();
            while (next <= options.Orders && Start + (span * ((next - 0.5) / options.Orders)) <= end)
            {
                placed.Add(next++);
            }
            foreach (var chunk in placed.Chunk(CreateOrders.MaxBatch))
            {
                await flow.BookAsync(chunk, clock, ct);
            }
            if (placed.Count > 0)
            {
                progress?.Report(new Progress(Phase.Booking, next - 1, options.Orders, end));
            }

            // The events that happened are ingested, in time order, a simulated day at a time, as a carrier feed would
            // deliver them in batches; once every order is booked, days without events are skipped.
            if ((step + 1) % StepsPerDay == 0)
            {
                ingesting.Start();
                await queue.IngestDueAsync(end, ct);
                ingesting.Stop();
                if (next > options.Orders)
                {
                    progress?.Report(new Progress(Phase.Moving, queue.Sent, queue.Planned, end));
                    if (queue.NextAt is { } nextAt && nextAt > end.AddDays(1))
                    {
                        step = (long)Math.Floor((nextAt - Start) / TimeSpan.FromDays(1)) * StepsPerDay - 1;
                    }
                }
            }
        }

        progress?.Report(new Progress(Phase.Summarising, 0, 1, clock.Now));
        await using var reader = storage.CreateDb(tenantId);
        var summary = await SummariseAsync(reader, run, ct);
        return summary with
        {
            Orders = options.Orders,
            NotBooked = Sorted(flow.NotBooked),
            EventsSent = queue.Sent,
            EventsAccepted = queue.Accepted,
            Duplicates = queue.Duplicates,
            Unmatched = queue.Unmatched,
            Rejected = Sorted(queue.Rejected),
            SimulatedEnd = clock.Now,
            Elapsed = stopwatch.Elapsed,
            IngestTime = ingesting.Elapsed,
        };
    }


    private static void Add(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static List<Tally> Sorted(IReadOnlyDictionary<string, int> counts) =>
        counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new Tally(c.Key, c.Value)).ToList();

    /// <summary>The run's shipments as the database holds them after ingest: final status, exceptions met, transit per lane.</summary>
    private static async Task<Summary> SummariseAsync(WaybillDb db, string run, CancellationToken ct)
    {
        var prefix = run + "-";
        var shipments = await (
            from s in db.Shipments.AsNoTracking()
            join o in db.Orders on s.OrderId equals o.Id
            join w in db.Warehouses on o.WarehouseId equals w.Id
            where o.Reference.StartsWith(prefix)
            select new { s.Id, s.Status, s.Milestone, s.CreatedAt, s.LastEventAt, Origin = w.AddressCountry, Destination = o.ShipToCountry }).ToListAsync(ct);

        var final = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in shipments)
        {
            Add(final, s.Milestone == Milestone.ReturnedToSender ? "returned_to_sender" : TrackingNames.Of(s.Status));
        }

        // Each kind of exception counted once per shipment that met it; failed delivery attempts are one kind.
        var flagged = await (
            from e in db.TrackingEvents.AsNoTracking()
            join s in db.Shipments on e.ShipmentId equals s.Id
            join o in db.Orders on s.OrderId equals o.Id
            where o.Reference.StartsWith(prefix) && (e.ExceptionReason != null || e.Status == TrackingStatus.FailedAttempt)
            select new { e.ShipmentId, e.ExceptionReason }).ToListAsync(ct);
        var exceptions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, kind) in flagged.Select(e => (e.ShipmentId!.Value, e.ExceptionReason ?? "failed_attempt")).Distinct())
        {
            Add(exceptions, kind);
        }

        var lanes = shipments.Where(s => s.Status == TrackingStatus.Delivered && s.LastEventAt is not null)
            .GroupBy(s => (Origin: s.Origin.Value, Destination: s.Destination.Value))
            .OrderBy(g => g.Key.Origin, StringComparer.Ordinal).ThenBy(g => g.Key.Destination, StringComparer.Ordinal)
            .Select(g =>
            {
                var days = g.Select(s => (s.LastEventAt!.Value - s.CreatedAt).TotalDays).Order().ToList();
                return new LaneTransit(g.Key.Origin, g.Key.Destination, days.Count, Percentile(days, 0.5), Percentile(days, 0.9));
            }).ToList();

        return new Summary(0, shipments.Count, [], Sorted(final), Sorted(exceptions), lanes, 0, 0, 0, 0, [], default, default, default);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

