using Microsoft.EntityFrameworkCore;

namespace Waybill.Persistence;

/// <summary>
/// The outbox of the notifications decided with tracking events. The event writer appends each decision here, in the
/// transaction of the events that caused it: a narrow table with no index but its sequence, so deciding costs ingest
/// one small append. The notifications worker moves the decisions, oldest first, into the <c>notifications</c> log,
/// where the unique (shipment, kind, channel, occurrence) key keeps the first of each and drops repeats; the move and the
/// delete are one transaction, so a crash loses or doubles nothing.
/// </summary>
public sealed class NotificationOutbox
{
    private NotificationOutbox()
    {
    }

    public long Seq { get; private set; }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid ShipmentId { get; private set; }

    public string Audience { get; private set; } = "";

    public string Kind { get; private set; } = "";

    public string Channel { get; private set; } = "";

    public long Occurrence { get; private set; }

    public string Status { get; private set; } = "";

    public long? CauseEventId { get; private set; }

    public DateTimeOffset? EventAt { get; private set; }

    public string? Reason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>
    /// Adds decisions to the outbox in a transaction that writes through EF (a leg registration). On SQLite, whose rowid
    /// EF does not assign here, the transaction's write lock makes max + 1 safe; PostgreSQL's identity assigns its own.
    /// </summary>
    internal static async Task AddAsync(WaybillDb db, IReadOnlyList<NotificationDecision> decisions, DateTimeOffset now, CancellationToken ct)
    {
        if (decisions.Count == 0)
        {
            return;
        }
        var next = db.Provider == DatabaseProvider.Postgres ? 0
            : (await db.Database.SqlQueryRaw<long>("SELECT COALESCE(MAX(seq), 0) AS \"Value\" FROM notification_outbox").ToListAsync(ct)).Single() + 1;
        foreach (var d in decisions)
        {
            db.NotificationOutbox.Add(From(d, now, next == 0 ? 0 : next++));
        }
    }

    private static NotificationOutbox From(NotificationDecision d, DateTimeOffset now, long seq) => new()
    {
        Seq = seq,
        Id = Guid.CreateVersion7(now),
        TenantId = d.TenantId,
        ShipmentId = d.ShipmentId,
        Audience = d.Audience,
        Kind = d.Kind,
        Channel = d.Channel,
        Occurrence = d.Occurrence,
        Status = d.Status,
        CauseEventId = d.CauseEventId,
        EventAt = d.EventAt,
        Reason = d.Reason,
        CreatedAt = now,
    };

    private const string LogColumns =
        "id, tenant_id, shipment_id, audience, kind, channel, occurrence, status, cause_event_id, event_at, reason, scheduled_for, attempts, created_at";

    private const string FromOutbox =
        "id, tenant_id, shipment_id, audience, kind, channel, occurrence, status, cause_event_id, event_at, reason, created_at, 0, created_at";

    private const string PostgresMove =
        "WITH moved AS (DELETE FROM notification_outbox WHERE seq IN " +
        "(SELECT seq FROM notification_outbox ORDER BY seq LIMIT {0} FOR UPDATE SKIP LOCKED) RETURNING *), " +
        "logged AS (INSERT INTO notifications (" + LogColumns + ") SELECT " + FromOutbox + " FROM moved ORDER BY seq " +
        "ON CONFLICT (shipment_id, kind, channel, occurrence) DO NOTHING RETURNING 1) " +
        "SELECT COUNT(*)::int AS \"Value\" FROM moved";

    private const string SqliteUpTo = "seq <= (SELECT MAX(seq) FROM (SELECT seq FROM notification_outbox ORDER BY seq LIMIT {0}))";

    private const string SqliteCount = "SELECT COUNT(*) AS \"Value\" FROM notification_outbox WHERE " + SqliteUpTo;

    private const string SqliteLog =
        "INSERT INTO notifications (" + LogColumns + ") SELECT " + FromOutbox + " FROM notification_outbox WHERE " + SqliteUpTo +
        " ORDER BY seq ON CONFLICT (shipment_id, kind, channel, occurrence) DO NOTHING";

    private const string SqliteDelete = "DELETE FROM notification_outbox WHERE " + SqliteUpTo;

    /// <summary>Moves up to <paramref name="max"/> decisions, oldest first, into the log; answers how many it moved.</summary>
    public static async Task<int> MoveAsync(WaybillDb db, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // One statement: the rows taken (skipping those another worker holds) are deleted and logged together.
            return (await db.Database.SqlQueryRaw<int>(PostgresMove, max).ToListAsync(ct)).Single(); // not composed: the CTE must stay at the top
        }
        // SQLite: one writer at a time (BEGIN IMMEDIATE); the same batch, up to the same sequence, is logged, then deleted.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var count = (await db.Database.SqlQueryRaw<int>(SqliteCount, max).ToListAsync(ct)).Single();
        if (count > 0)
        {
            await db.Database.ExecuteSqlRawAsync(SqliteLog, [max], ct);
            await db.Database.ExecuteSqlRawAsync(SqliteDelete, [max], ct);
        }
        await transaction.CommitAsync(ct);
        return count;
    }
}
