using Waybill.Persistence;
using Waybill.Server;

// Waybill's server: the HTTP API, and (later) the dashboard, tracking pages and background workers.
// Options: --urls, --data-dir DIR, --database CS (or ConnectionStrings__Waybill), --demo true|false (--no-demo),
// --sandbox-speed N, --sandbox-orders-per-day N, --smtp HOST:PORT, --allow-private-webhooks true|false,
// --track-rate-limit N (tracking lookups a minute per client address), --trusted-proxy IP[,IP...]. See README.
try
{
    var app = WaybillServer.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is StorageConfigurationException or ServerConfigurationException)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException or IOException)
{
    await Console.Error.WriteLineAsync($"error: the database cannot be opened: {ex.Message.TrimEnd('.')}. Check --database (or ConnectionStrings__Waybill) and --data-dir.");
    return 1;
}

/// <summary>Entry point, visible to the HTTP contract tests.</summary>
public partial class Program;
