using Microsoft.EntityFrameworkCore;

namespace Waybill.Persistence;

/// <summary>
/// Leases due notifications to one worker: rows queued or held, due, and not leased to a live worker. On PostgreSQL
/// concurrent workers skip each other's rows (<c>FOR UPDATE SKIP LOCKED</c>); on SQLite the update runs under the
/// database's one write lock. A worker that dies leaves its lease to expire, and another takes the rows over.
/// Each worker leases its own channel's rows: the email worker never takes a webhook delivery, nor the other way round.
/// </summary>
internal static class NotificationLeases
{
    private const string Due =
        "SELECT id FROM notifications WHERE status IN ('queued', 'held') AND scheduled_for <= {2} AND (lease_until IS NULL OR lease_until < {2}) " +
        "AND channel = {4} ORDER BY scheduled_for LIMIT {3}";

    /// <summary>Leases due email notifications.</summary>
    public static Task<int> LeaseAsync(WaybillDb db, string owner, DateTimeOffset now, DateTimeOffset until, int count, CancellationToken ct) =>
        LeaseAsync(db, "email", owner, now, until, count, ct);

    /// <summary>Leases due rows of one channel (<c>email</c> or <c>webhook</c>).</summary>
    public static Task<int> LeaseAsync(WaybillDb db, string channel, string owner, DateTimeOffset now, DateTimeOffset until, int count, CancellationToken ct) =>
        db.Provider == DatabaseProvider.Postgres
            ? db.Database.ExecuteSqlRawAsync(
                $"UPDATE notifications SET lease_owner = {{0}}, lease_until = {{1}} WHERE id IN ({Due} FOR UPDATE SKIP LOCKED)",
                [owner, until.ToUniversalTime(), now.ToUniversalTime(), count, channel], ct)
            : db.Database.ExecuteSqlRawAsync(
                $"UPDATE notifications SET lease_owner = {{0}}, lease_until = {{1}} WHERE id IN ({Due})",
                [owner, UnixMicrosecondsConverter.ToMicroseconds(until), UnixMicrosecondsConverter.ToMicroseconds(now), count, channel], ct);
}
