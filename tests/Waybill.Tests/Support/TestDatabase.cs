using Npgsql;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Support;

/// <summary>
/// A real database for one test class: a fresh SQLite file, or a fresh PostgreSQL database created on the server
/// named by <c>WAYBILL_TEST_POSTGRES</c>. Tests stay independent by each working in a tenant of its own.
/// </summary>
public abstract class TestDatabase : IAsyncLifetime
{
    private EventWriter? _events;

    public Storage Storage { get; protected set; } = null!;

    /// <summary>The process's event writer for this database, as the server has one (created on first use).</summary>
    public EventWriter Events => _events ??= new EventWriter(Storage, TimeProvider.System);

    /// <summary>Stops the event writer (after what it holds is written), before the database goes away.</summary>
    protected async ValueTask StopEventWriterAsync()
    {
        if (_events is not null)
        {
            await _events.DisposeAsync();
            _events = null;
        }
    }

    /// <summary>Why this database cannot be used here; null when it can.</summary>
    public string? Unavailable { get; protected set; }

    public abstract ValueTask InitializeAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>Skips the calling test when the database is absent (never on CI: there the fixture fails instead).</summary>
    public void RequireAvailable()
    {
        if (Unavailable is not null)
        {
            Assert.Skip(Unavailable);
        }
    }

    /// <summary>A new tenant, and a context that sees only its rows.</summary>
    public async Task<(WaybillDb Db, Guid TenantId, string ApiKey)> NewTenantAsync(TimeProvider? clock = null)
    {
        RequireAvailable();
        await using var admin = Storage.CreateDb();
        var added = await new AddTenant.Handler(admin, clock ?? TimeProvider.System)
            .HandleAsync(new AddTenant.Request($"tenant-{Guid.NewGuid():N}"), CancellationToken.None);
        var db = Storage.CreateDb();
        db.TenantId = added.Value.Id;
        return (db, added.Value.Id, added.Value.ApiKey);
    }
}

public sealed class SqliteDatabase : TestDatabase
{
    private string _directory = "";

    public override async ValueTask InitializeAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));
        Storage = Storage.Resolve(_directory, null);
        await Storage.MigrateAsync(CancellationToken.None);
    }

    public override async ValueTask DisposeAsync()
    {
        await StopEventWriterAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on another thread: the temp directory is cleaned by the OS eventually.
        }
    }
}

public sealed class PostgresDatabase : TestDatabase
{
    public const string Variable = "WAYBILL_TEST_POSTGRES";
    private string? _admin;
    private string? _name;

    public override async ValueTask InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_admin))
        {
            Unavailable = $"PostgreSQL tests need a connection string in {Variable} (e.g. Host=localhost;Username=postgres;Password=postgres).";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                throw new InvalidOperationException($"CI is set but {Variable} is empty: PostgreSQL tests must run on CI, not skip.");
            }
            return;
        }
        _name = $"waybill_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Storage.ToNpgsqlConnectionString(_admin)))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(Storage.ToNpgsqlConnectionString(_admin)) { Database = _name };
        Storage = Storage.Resolve(Path.Combine(Path.GetTempPath(), "waybill-tests", _name), builder.ConnectionString);
        await Storage.MigrateAsync(CancellationToken.None);
    }

    public override async ValueTask DisposeAsync()
    {
        await StopEventWriterAsync();
        if (_name is null || _admin is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Storage.ToNpgsqlConnectionString(_admin));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
