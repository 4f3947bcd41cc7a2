using Microsoft.EntityFrameworkCore;

namespace Waybill.Persistence;

/// <summary>
/// Leases due notifications to one worker: rows queued or held, due, and not leased to a live worker. On PostgreSQL
/// concurrent workers skip each other's rows (<c>FOR UPDATE SKIP LOCKED</c>); on SQLite the update runs under the
/// database's one write lock. A worker that dies leaves its lease to expire, and another takes the rows over.
/// </summary>
internal static class NotificationLeases
{
    private const string Due =
        "SELECT id FROM notifications WHERE status IN ('queued', 'held') AND scheduled_for <= {2} AND (lease_until IS NULL OR lease_until < {2}) " +
        "ORDER BY scheduled_for LIMIT {3}";

    public static Task<int> LeaseAsync(WaybillDb db, string owner, DateTimeOffset now, DateTimeOffset until, int count, CancellationToken ct) =>
        db.Provider == DatabaseProvider.Postgres
            ? db.Database.ExecuteSqlRawAsync(
                $"UPDATE notifications SET lease_owner = {{0}}, lease_until = {{1}} WHERE id IN ({Due} FOR UPDATE SKIP LOCKED)",
                [owner, until.ToUniversalTime(), now.ToUniversalTime(), count], ct)
            : db.Database.ExecuteSqlRawAsync(
                $"UPDATE notifications SET lease_owner = {{0}}, lease_until = {{1}} WHERE id IN ({Due})",
                [owner, UnixMicrosecondsConverter.ToMicroseconds(until), UnixMicrosecondsConverter.ToMicroseconds(now), count], ct);
}
