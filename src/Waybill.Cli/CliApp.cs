using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Cli;

/// <summary>
/// The <c>waybill</c> command. Results go to standard output, progress and errors to standard error,
/// so output can be piped. Exit codes: 0 success, 1 failure (the message says what to do), 2 bad usage.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory for the embedded SQLite database and local files (default ./waybill-data; created when missing).", Recursive = true };
        var database = new Option<string?>("--database") { Description = "PostgreSQL: an Npgsql connection string or a postgres:// URL (else ConnectionStrings__Waybill, else embedded SQLite).", Recursive = true };

        var root = new RootCommand("Waybill: cross-border logistics for e-commerce.");
        root.Options.Add(dataDir);
        root.Options.Add(database);
        root.Subcommands.Add(TenantCommands.Build(dataDir, database, stdout, stderr));
        root.Subcommands.Add(OrderCommands.Build(dataDir, database, stdout, stderr));
        root.Subcommands.Add(DetectCommand.Build(stdout, stderr));
        root.Subcommands.Add(TrackCommand.Build(dataDir, database, stdout, stderr));
        root.Subcommands.Add(SimulateCommand.Build(dataDir, database, stdout, stderr));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Bad usage (an unknown command or option, a value of the wrong type, a required option missing): exit 2.
            foreach (var parseError in parsed.Errors)
            {
                await stderr.WriteLineAsync($"error: {parseError.Message}");
            }
            await stderr.WriteLineAsync($"See 'waybill {string.Join(' ', CommandPath(parsed.CommandResult))} --help'.".Replace("  ", " ", StringComparison.Ordinal));
            return 2;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parsed.InvokeAsync(config, ct);
        }
        catch (StorageConfigurationException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or System.Net.Sockets.SocketException
            or UnauthorizedAccessException or IOException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message.TrimEnd('.')}. Check the file, --data-dir or --database.");
            return 1;
        }
    }

    private static List<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Insert(0, r.Command.Name);
        }
        return names;
    }

    /// <summary>
    /// Scopes <paramref name="db"/> to the tenant named <paramref name="name"/> (ignoring case); false, with a message
    /// on standard error, when there is no such tenant.
    /// </summary>
    internal static async Task<bool> UseTenantAsync(WaybillDb db, string name, TextWriter stderr, CancellationToken ct)
    {
        var key = Tenancy.Tenant.KeyOf(name);
        var tenantId = await db.Tenants.Where(t => t.NameKey == key).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        if (tenantId is null)
        {
            await stderr.WriteLineAsync($"error: no tenant is named '{name}'. See 'waybill tenants list'.");
            return false;
        }
        db.TenantId = tenantId.Value;
        return true;
    }

    /// <summary>Opens the storage the options name and brings its schema up to date.</summary>
    internal static async Task<Storage> OpenStorageAsync(ParseResult parse, Option<string?> dataDir, Option<string?> database, CancellationToken ct)
    {
        var connection = parse.GetValue(database) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Waybill");
        var storage = Storage.Resolve(parse.GetValue(dataDir), connection);
        await storage.MigrateAsync(ct);
        return storage;
    }
}
