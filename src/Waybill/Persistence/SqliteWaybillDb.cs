using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Waybill.Persistence;

/// <summary>Embedded storage: one SQLite file that the server and the CLI may share (WAL, busy timeout).</summary>
public sealed class SqliteWaybillDb(DbContextOptions<SqliteWaybillDb> options) : WaybillDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureStorageConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMicrosecondsConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<ScaledDecimalConverter>();
    }

    // SQLite transactions begin IMMEDIATE: writers already run one at a time.
    public override Task BeginLegRegistrationAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>EF's SQLite mapping stores GUIDs as upper-case TEXT; raw SQL binds them the same way.</summary>
    internal static string GuidText(Guid id) => id.ToString().ToUpperInvariant();

    // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
    protected override bool IsUniqueViolationError(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
}

/// <summary>Lets <c>dotnet ef migrations add ... --context SqliteWaybillDb</c> build the model without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteWaybillDb>
{
    public SqliteWaybillDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteWaybillDb>().UseSqlite("Data Source=design-time.db").Options);
}
