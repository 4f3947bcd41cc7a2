using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Waybill.Persistence;

/// <summary>Production storage: PostgreSQL, shared by any number of server replicas.</summary>
public sealed class PostgresWaybillDb(DbContextOptions<PostgresWaybillDb> options) : WaybillDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override void ConfigureStorageConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>().HaveColumnType("timestamp with time zone");
        configurationBuilder.Properties<decimal>().HaveConversion<NormalizedDecimalConverter>().HaveColumnType("numeric(19,4)");
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Ids of tracking events, drawn by the ingest writer's INSERT ... SELECT (SQLite takes max(id) + 1 under its write lock).
        modelBuilder.HasSequence<long>("tracking_event_ids");
        modelBuilder.Entity<NotificationOutbox>().Property(o => o.Seq).ValueGeneratedOnAdd().UseIdentityByDefaultColumn();
    }

    // ROW EXCLUSIVE conflicts with the SHARE lock the event writer holds for its transaction.
    public override Task BeginLegRegistrationAsync(CancellationToken ct) =>
        Database.ExecuteSqlRawAsync("LOCK TABLE shipment_legs IN ROW EXCLUSIVE MODE", ct);

    protected override bool IsUniqueViolationError(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresWaybillDb>
{
    public PostgresWaybillDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresWaybillDb>().UseNpgsql("Host=localhost;Database=waybill_design").Options);
}
