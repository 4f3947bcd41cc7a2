using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;
using Waybill.Tracking;

namespace Waybill.Server;

/// <summary>Real time, for what must not run on the demo's accelerated clock: API key caches and rotations, idempotency retention.</summary>
internal sealed record WallClock(TimeProvider Time);

/// <summary>The demo's settings: <c>--demo</c> (or <c>--no-demo</c>), <c>--sandbox-speed</c>, <c>--sandbox-orders-per-day</c>.</summary>
internal sealed record DemoSettings(bool Enabled, double Speed, int OrdersPerDay)
{
    public const double DefaultSpeed = 1440;
    public const int DefaultOrdersPerDay = 150;

    /// <exception cref="ServerConfigurationException">A value is out of range or not a number.</exception>
    public static DemoSettings From(IConfiguration configuration, DatabaseProvider provider)
    {
        var enabled = Parse("demo", provider == DatabaseProvider.Sqlite, bool.TryParse, "true or false");
        var speed = Parse("sandbox-speed", DefaultSpeed, (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), "a number");
        if (speed is < 1 or > 100_000 || double.IsNaN(speed))
        {
            throw new ServerConfigurationException($"--sandbox-speed must be 1 (real time) to 100000 simulated seconds per second, not {speed}.");
        }
        var perDay = Parse("sandbox-orders-per-day", DefaultOrdersPerDay, (string s, out int v) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v), "a whole number");
        if (perDay is < 0 or > 100_000)
        {
            throw new ServerConfigurationException($"--sandbox-orders-per-day must be 0 to 100000, not {perDay}.");
        }
        return new DemoSettings(enabled, speed, perDay);

        T Parse<T>(string key, T fallback, TryParse<T> parse, string what)
        {
            var text = configuration[key];
            return string.IsNullOrWhiteSpace(text) ? fallback
                : parse(text.Trim(), out var value) ? value
                : throw new ServerConfigurationException($"--{key} must be {what}, not '{text}'.");
        }
    }

    private delegate bool TryParse<T>(string text, out T value);
}

/// <summary>A server option that makes no sense; the server does not start (exit code 2).</summary>
internal sealed class ServerConfigurationException(string message) : Exception(message);

/// <summary>
/// The sandbox network at work in the server, on the server's clock. Every shipment booked on sandbox services (any
/// tenant) is found (<see cref="SandboxTraffic"/>) and moved: its events reach the server through ingest when their time
/// comes. With the demo, the demo seller (<see cref="DemoTenant"/>) also gets the demo warehouses and a steady flow of
/// orders (<see cref="DemoSettings.OrdersPerDay"/> a simulated day), on the accelerated clock. On the first start the
/// seller already has a history (the orders of the last <see cref="BackfillDays"/> simulated days, their parcels
/// wherever the network has taken them by now), so shipments, milestones and exceptions show from the first minute.
/// After a restart the parcels under way go on where they were: the simulated time is kept in
/// <c>&lt;data-dir&gt;/demo-clock.txt</c> and journeys are planned again from their seeds.
/// </summary>
internal sealed partial class SandboxNetworkService(
    Storage storage, TimeProvider clock, WallClock wall, EventWriter writer, DemoSettings settings, ILogger<SandboxNetworkService> logger) : BackgroundService
{
    public const string ClockFileName = "demo-clock.txt";
    public const string ReferencePrefix = "DEMO";
    public const int BackfillDays = 14;
    private const ulong Seed = 2026;

    /// <summary>Real time between rounds: 24 simulated minutes at the default speed.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>Where the demo's simulated time starts: the saved simulated time if it is ahead of real time, else now.</summary>
    public static DateTimeOffset StartOf(string dataDirectory, TimeProvider real)
    {
        var now = real.GetUtcNow();
        var path = Path.Combine(dataDirectory, ClockFileName);
        if (File.Exists(path)
            && DateTimeOffset.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var saved)
            && saved > now)
        {
            return saved;
        }
        return now;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var feed = new NetworkFeed(storage, writer);
        var traffic = new SandboxTraffic(storage, feed, Seed, (shipment, why) => LogNotMoved(logger, shipment, why));
        var now = clock.UtcNow();
        SandboxFlow? flow = null;
        var last = 0L;
        if (settings.Enabled && settings.OrdersPerDay > 0)
        {
            Guid tenantId;
            await using (var db = storage.CreateDb())
            {
                var key = Tenancy.Tenant.KeyOf(DemoTenant.Name);
                tenantId = await db.Tenants.Where(t => t.NameKey == key).Select(t => t.Id).SingleAsync(ct);
            }
            flow = new SandboxFlow(storage, tenantId, null, Seed, ReferencePrefix);
            await flow.WarehousesAsync(clock, ct);
            last = await flow.HighestNumberAsync(ct);
            if (last == 0)
            {
                last = await BackfillAsync(flow, now, ct);
            }
        }
        // The parcels under way (the history's included): planned now, their past events sent at once.
        await traffic.DiscoverAsync(now, ct);
        await feed.IngestDueAsync(now, ct);
        LogStarted(logger, clock is AcceleratedClock fast ? fast.Speed : 1, flow is null ? 0 : settings.OrdersPerDay, now, feed.Sent, feed.Waiting);

        // From now on: demo orders at a steady rate, new bookings found, events sent as they fall due.
        var anchor = now;
        var placed = 0L;
        using var timer = new PeriodicTimer(Tick, wall.Time);
        var rounds = 0;
        do
        {
            try
            {
                now = clock.UtcNow();
                if (flow is not null)
                {
                    var due = (long)Math.Floor((now - anchor).TotalDays * settings.OrdersPerDay) - placed;
                    if (due > 0)
                    {
                        var numbers = Enumerable.Range(1, (int)Math.Min(due, Orders.CreateOrders.MaxBatch)).Select(i => last + i).ToList();
                        await flow.BookAsync(numbers, clock, ct);
                        last += numbers.Count;
                        placed += numbers.Count;
                    }
                }
                await traffic.DiscoverAsync(now, ct);
                await feed.IngestDueAsync(now, ct);
                if (settings.Enabled && ++rounds % 10 == 0)
                {
                    await SaveClockAsync(now, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next round tries again: orders already booked are not booked twice (references are unique),
                // events already stored are dropped as duplicates.
                LogRoundFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>The orders of the last <see cref="BackfillDays"/> days, each booked when it was placed.</summary>
    private async Task<long> BackfillAsync(SandboxFlow flow, DateTimeOffset now, CancellationToken ct)
    {
        var total = (long)BackfillDays * settings.OrdersPerDay;
        var start = now.AddDays(-BackfillDays);
        var past = new SimulatedClock(start);
        var number = 0L;
        for (var at = start + SandboxSimulation.Step; number < total; at += SandboxSimulation.Step)
        {
            past.Now = at < now ? at : now;
            var numbers = new List<long>();
            while (number < total && start + TimeSpan.FromDays(BackfillDays * ((number + 0.5) / total)) <= past.Now)
            {
                numbers.Add(++number);
            }
            await flow.BookAsync(numbers, past, ct);
        }
        return number;
    }

    private async Task SaveClockAsync(DateTimeOffset now, CancellationToken ct)
    {
        var path = Path.Combine(storage.DataDirectory, ClockFileName);
        Directory.CreateDirectory(storage.DataDirectory);
        await File.WriteAllTextAsync(path + ".tmp", now.ToString("O", CultureInfo.InvariantCulture) + "\n", ct);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox network: {Speed}x time, {PerDay} demo orders a simulated day, simulated now {Now:u}; {Sent} events of parcels under way sent at start, {Waiting} waiting")]
    private static partial void LogStarted(ILogger logger, double speed, int perDay, DateTimeOffset now, long sent, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox network: shipment {Shipment} cannot be moved: {Why}")]
    private static partial void LogNotMoved(ILogger logger, Guid shipment, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox network: a round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception ex);
}
