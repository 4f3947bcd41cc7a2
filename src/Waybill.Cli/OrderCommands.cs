using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Waybill.Orders;

namespace Waybill.Cli;

internal static class OrderCommands
{
    public static Command Build(Option<string?> dataDir, Option<string?> database, TextWriter stdout, TextWriter stderr)
    {
        var orders = new Command("orders", "Work with orders.");
        var file = new Argument<string>("FILE") { Description = "The CSV file (UTF-8, header first), or - for standard input." };
        var tenant = new Option<string>("--tenant") { Description = "The tenant the orders belong to.", Required = true };
        var import = new Command("import", "Import orders from CSV, all or nothing. Prints {created, skipped, lines} as JSON.") { file, tenant };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (path != "-" && !File.Exists(path))
            {
                await stderr.WriteLineAsync($"error: no file at {path}.");
                return 1;
            }
            var storage = await CliApp.OpenStorageAsync(parse, dataDir, database, ct);
            await using var db = storage.CreateDb();
            var tenantName = parse.GetValue(tenant)!;
            if (!await CliApp.UseTenantAsync(db, tenantName, stderr, ct))
            {
                return 1;
            }

            await using var input = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
            var handler = new ImportOrders.Handler(db, TimeProvider.System);
            var result = await WithProgressAsync(stderr, progress => handler.HandleAsync(input, progress, ct));
            if (!result.IsSuccess)
            {
                var error = result.Error!;
                await stderr.WriteLineAsync($"error: {error.Message}");
                if (error.Details is IEnumerable<ImportOrders.RowError> rows)
                {
                    foreach (var row in rows)
                    {
                        await stderr.WriteLineAsync($"  line {row.Line}{(row.Column.Length > 0 ? $", column {row.Column}" : "")}: {row.Reason}");
                    }
                }
                return 1;
            }
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result.Value, JsonSerializerOptions.Web));
            return 0;
        });
        orders.Subcommands.Add(import);
        return orders;
    }

    /// <summary>A progress bar on standard error when it is a terminal; silence when piped or redirected.</summary>
    private static async Task<T> WithProgressAsync<T>(TextWriter stderr, Func<IProgress<ImportOrders.Progress>?, Task<T>> work)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected)
        {
            return await work(null);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var reading = context.AddTask("Reading", maxValue: 1);
                var writing = context.AddTask("Writing", autoStart: false, maxValue: 1);
                var progress = new Progress<ImportOrders.Progress>(p =>
                {
                    var task = p.Phase == ImportOrders.Phase.Reading ? reading : writing;
                    if (!task.IsStarted)
                    {
                        task.StartTask();
                    }
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                });
                var result = await work(progress);
                reading.Value = reading.MaxValue;
                writing.Value = writing.MaxValue;
                return result;
            });
    }
}
