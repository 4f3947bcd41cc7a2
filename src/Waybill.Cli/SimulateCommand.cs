using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;
using Waybill.Tenancy;

namespace Waybill.Cli;

/// <summary>
/// <c>waybill simulate --orders N --seed S [--days D]</c>: the sandbox network carries N demo orders to the end in
/// simulated time (<see cref="SandboxSimulation"/>) in the <c>simulation</c> tenant; the summary goes to standard
/// output (the same for the same seed, but for the lines with <c>elapsed</c> or <c>/s</c>), progress to standard error.
/// </summary>
internal static class SimulateCommand
{
    public const string TenantName = "simulation";

    public static Command Build(Option<string?> dataDir, Option<string?> database, TextWriter stdout, TextWriter stderr)
    {
        var orders = new Option<int>("--orders") { Description = $"How many orders to place (1 to {SandboxSimulation.MaxOrders:N0}).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "The random seed: the same seed gives the same orders, journeys and summary.", DefaultValueFactory = _ => 1 };
        var days = new Option<int>("--days") { Description = $"The days over which the orders are placed (1 to {SandboxSimulation.MaxDays}); the run goes on until every parcel's journey has ended.", DefaultValueFactory = _ => 7 };
        var command = new Command("simulate",
            "Book demo orders on the sandbox network and run them to the end in simulated time, then print a summary. " +
            "Without --data-dir (or --database) it uses a fresh temporary database, deleted afterwards; always its own 'simulation' tenant.")
        {
            orders, seed, days,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(orders);
            var d = parse.GetValue(days);
            if (n is < 1 or > SandboxSimulation.MaxOrders)
            {
                await stderr.WriteLineAsync($"error: --orders must be 1 to {SandboxSimulation.MaxOrders}, not {n}.");
                return 2;
            }
            if (d is < 1 or > SandboxSimulation.MaxDays)
            {
                await stderr.WriteLineAsync($"error: --days must be 1 to {SandboxSimulation.MaxDays}, not {d}.");
                return 2;
            }
            string? temporary = null;
            Storage storage;
            if (parse.GetValue(dataDir) is null && parse.GetValue(database) is null)
            {
                temporary = Path.Combine(Path.GetTempPath(), "waybill-simulate-" + Guid.NewGuid().ToString("N")[..12]);
                storage = Storage.Resolve(temporary, null);
                await storage.MigrateAsync(ct);
            }
            else
            {
                storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            }
            try
            {
                await stderr.WriteLineAsync($"Simulating {n:N0} orders (seed {parse.GetValue(seed)}) on {(temporary is null ? storage.Describe() : "a temporary SQLite database")}.");
                var tenantId = await TenantAsync(storage, ct);
                var summary = await WithProgressAsync(stderr, progress =>
                    SandboxSimulation.RunAsync(storage, tenantId, new SandboxSimulation.Options(n, parse.GetValue(seed), d), progress, ct));
                await stdout.WriteAsync(Format(summary, parse.GetValue(seed), d));
                return 0;
            }
            finally
            {
                if (temporary is not null)
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    try
                    {
                        Directory.Delete(temporary, recursive: true);
                    }
                    catch (IOException ex)
                    {
                        await stderr.WriteLineAsync($"warning: the temporary database {temporary} was not deleted: {ex.Message}");
                    }
                }
            }
        });
        return command;
    }

    /// <summary>The <c>simulation</c> tenant, created when missing.</summary>
    private static async Task<Guid> TenantAsync(Storage storage, CancellationToken ct)
    {
        await using var db = storage.CreateDb();
        var key = Tenant.KeyOf(TenantName);
        if (await db.Tenants.Where(t => t.NameKey == key).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct) is { } id)
        {
            return id;
        }
        var added = await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new AddTenant.Request(TenantName), ct);
        return added.IsSuccess ? added.Value.Id : throw new InvalidOperationException($"The '{TenantName}' tenant could not be created: {added.Error!.Message}");
    }

    /// <summary>The summary: no paths, nothing that varies between runs of one seed except the lines with <c>elapsed</c> or <c>/s</c>.</summary>
    internal static string Format(SandboxSimulation.Summary s, ulong seed, int days)
    {
        var c = CultureInfo.InvariantCulture;
        var w = new StringWriter(c);
        w.WriteLine($"simulation: {s.Orders} orders, seed {seed}, placed over {days} days from {SandboxSimulation.Start:yyyy-MM-dd}; ran until {s.SimulatedEnd:yyyy-MM-dd}");
        w.WriteLine($"shipments booked: {s.Booked}");
        foreach (var t in s.NotBooked)
        {
            w.WriteLine($"  not booked ({t.Name}): {t.Count}");
        }
        w.WriteLine("final status:");
        foreach (var t in s.FinalStatus)
        {
            w.WriteLine(string.Create(c, $"  {t.Name,-22} {t.Count,8} {Share(t.Count, s.Booked),7:0.00}%"));
        }
        w.WriteLine("exceptions (shipments that met each):");
        foreach (var t in s.Exceptions)
        {
            w.WriteLine(string.Create(c, $"  {t.Name,-22} {t.Count,8} {Share(t.Count, s.Booked),7:0.00}%"));
        }
        w.WriteLine("transit days per lane (delivered shipments, booking to delivery):");
        foreach (var l in s.Lanes)
        {
            w.WriteLine(string.Create(c, $"  {l.Origin} -> {l.Destination}  delivered {l.Delivered,7}  p50 {l.P50Days,5:0.0}  p90 {l.P90Days,5:0.0}"));
        }
        w.WriteLine($"events: {s.EventsSent} sent, {s.EventsAccepted} ingested, {s.Duplicates} duplicates, {s.Unmatched} unmatched, {s.Rejected.Sum(r => r.Count)} rejected");
        foreach (var t in s.Rejected)
        {
            w.WriteLine($"  rejected ({t.Name}): {t.Count}");
        }
        w.WriteLine(string.Create(c, $"elapsed: {s.Elapsed.TotalSeconds:0.0} s (ingest {s.IngestTime.TotalSeconds:0.0} s)"));
        w.WriteLine(string.Create(c, $"events/s: {s.EventsSent / Math.Max(0.001, s.Elapsed.TotalSeconds):0} over the whole run, {s.EventsSent / Math.Max(0.001, s.IngestTime.TotalSeconds):0} in ingest"));
        w.WriteLine(string.Create(c, $"orders/s: {s.Orders / Math.Max(0.001, s.Elapsed.TotalSeconds):0}"));
        return w.ToString();
    }

    private static double Share(int count, int of) => of == 0 ? 0 : 100.0 * count / of;

    /// <summary>A progress bar on standard error when it is a terminal; else a line at every tenth of each phase.</summary>
    private static async Task<T> WithProgressAsync<T>(TextWriter stderr, Func<IProgress<SandboxSimulation.Progress>, Task<T>> work)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected)
        {
            var reported = (Phase: (SandboxSimulation.Phase?)null, Tenth: -1L);
            var lines = new SynchronousProgress(p =>
            {
                var tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
                if (p.Phase != reported.Phase || tenth > reported.Tenth)
                {
                    reported = (p.Phase, tenth);
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Describe(p.Phase)}: {p.Done:N0} of {p.Total:N0} (simulated {p.SimulatedNow:yyyy-MM-dd HH:mm})"));
                }
            });
            return await work(lines);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = Enum.GetValues<SandboxSimulation.Phase>().ToDictionary(p => p, p => context.AddTask(Describe(p), autoStart: false, maxValue: 1));
                var result = await work(new SynchronousProgress(p =>
                {
                    var task = tasks[p.Phase];
                    if (!task.IsStarted)
                    {
                        task.StartTask();
                    }
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = $"{Describe(p.Phase)} ({p.SimulatedNow:yyyy-MM-dd})";
                }));
                foreach (var task in tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
                return result;
            });
    }

    private static string Describe(SandboxSimulation.Phase phase) => phase switch
    {
        SandboxSimulation.Phase.Booking => "Booking orders",
        SandboxSimulation.Phase.Moving => "Moving parcels",
        _ => "Summarising",
    };

    /// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> posts them to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<SandboxSimulation.Progress> report) : IProgress<SandboxSimulation.Progress>
    {
        public void Report(SandboxSimulation.Progress value) => report(value);
    }
}
