using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Server.Http;

/// <summary>
/// <c>Idempotency-Key</c> on every POST under <c>/v1</c>, scoped to tenant, method and path, kept 24 hours.
/// The key is claimed (committed) before the handler runs, so a concurrent duplicate sees it in flight (409).
/// The handler's writes and the stored answer commit in one transaction: a crash leaves neither.
/// The same key with the same body (by SHA-256) replays the first answer; with another body it is refused (422).
/// 5xx answers are not stored: the claim is released and the client may retry.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, WallClock wall)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly TimeSpan InFlightLease = TimeSpan.FromMinutes(2);

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[Header].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key))
        {
            await next(context);
            return;
        }
        var db = context.RequestServices.GetRequiredService<WaybillDb>();
        if (db.TenantId == Guid.Empty)
        {
            await next(context);
            return;
        }
        if (key.Length > 200 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            await Problems.WriteAsync(context, 400, "idempotency.key_invalid", "The Idempotency-Key is 1 to 200 printable ASCII characters.");
            return;
        }

        context.Request.EnableBuffering();
        var requestHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted));
        context.Request.Body.Position = 0;
        var path = context.Request.Path.Value!.TrimEnd('/').ToLowerInvariant();
        var method = context.Request.Method.ToUpperInvariant();

        var claim = await ClaimAsync(db, method, path, key, requestHash, context.RequestAborted);
        if (claim is not null)
        {
            await RespondToRepeatAsync(context, claim, requestHash);
            return;
        }

        var originalBody = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var committed = false;
        try
        {
            // The response is stored in the handler's own transaction, so that it commits with what the request did.
            // An endpoint that writes elsewhere (event ingest, through the process's event writer) is idempotent by
            // content: there the response is stored after the handler, and a crash in between only makes a retry
            // count the stored events as duplicates.
            var ownWrites = context.GetEndpoint()?.Metadata.GetMetadata<WritesThroughEventWriter>() is not null;
            await using var transaction = ownWrites ? null : await db.Database.BeginTransactionAsync(context.RequestAborted);
            await next(context);
            if (context.Response.StatusCode < 500)
            {
                var record = await db.IdempotencyRecords.SingleAsync(
                    r => r.TenantId == db.TenantId && r.Method == method && r.Path == path && r.Key == key, context.RequestAborted);
                record.StatusCode = context.Response.StatusCode;
                record.ContentType = context.Response.ContentType;
                record.Location = context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
                record.ResponseBody = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
                await db.SaveChangesAsync(context.RequestAborted);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(context.RequestAborted);
                }
                committed = true;
            }
        }
        finally
        {
            context.Response.Body = originalBody;
            if (!committed)
            {
                await ReleaseAsync(db, method, path, key);
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, context.RequestAborted);
    }

    /// <summary>Claims the key; returns the existing record when someone already holds it.</summary>
    private async Task<IdempotencyRecord?> ClaimAsync(WaybillDb db, string method, string path, string key, string hash, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = wall.Time.UtcNow();
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(
                r => r.TenantId == db.TenantId && r.Method == method && r.Path == path && r.Key == key, ct);
            if (existing is not null)
            {
                var expired = existing.CreatedAt < now - Retention;
                var abandoned = existing.StatusCode is null && existing.LockedUntil < now;
                if (!expired && !abandoned)
                {
                    return existing;
                }
                // Expired, or its holder died mid-request: take it over, unless another request just did.
                var taken = await db.IdempotencyRecords
                    .Where(r => r.TenantId == db.TenantId && r.Method == method && r.Path == path && r.Key == key && r.LockedUntil == existing.LockedUntil && r.CreatedAt == existing.CreatedAt)
                    .ExecuteDeleteAsync(ct);
                if (taken == 0)
                {
                    continue;
                }
            }
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                TenantId = db.TenantId,
                Method = method,
                Path = path,
                Key = key,
                RequestHash = hash,
                CreatedAt = now,
                LockedUntil = now + InFlightLease,
            });
            try
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                return null;
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
            }
        }
        throw new InvalidOperationException("Could not claim the idempotency key after 3 attempts.");
    }

    private static async Task ReleaseAsync(WaybillDb db, string method, string path, string key)
    {
        db.ChangeTracker.Clear();
        await db.IdempotencyRecords
            .Where(r => r.TenantId == db.TenantId && r.Method == method && r.Path == path && r.Key == key && r.StatusCode == null)
            .ExecuteDeleteAsync(CancellationToken.None);
    }

    private static async Task RespondToRepeatAsync(HttpContext context, IdempotencyRecord record, string requestHash)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            await Problems.WriteAsync(context, 422, "idempotency.key_reused",
                "This Idempotency-Key was used with a different request body; use a new key for a new request.");
            return;
        }
        if (record.StatusCode is not { } status)
        {
            context.Response.Headers.RetryAfter = "1";
            await Problems.WriteAsync(context, 409, "idempotency.in_flight",
                "A request with this Idempotency-Key is still being processed; retry shortly to get its answer.");
            return;
        }
        context.Response.StatusCode = status;
        if (record.ContentType is not null)
        {
            context.Response.ContentType = record.ContentType;
        }
        if (record.Location is not null)
        {
            context.Response.Headers.Location = record.Location;
        }
        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.WriteAsync(record.ResponseBody ?? "", context.RequestAborted);
    }
}

/// <summary>
/// Endpoint metadata: the handler writes through <see cref="Tracking.EventWriter"/>, on its own connection, so the
/// idempotency middleware must not hold a transaction (on SQLite, the write lock) while it runs.
/// </summary>
internal sealed class WritesThroughEventWriter;

/// <summary>Deletes idempotency records past their 24 hours.</summary>
internal sealed partial class IdempotencyJanitor(Storage storage, WallClock wall, ILogger<IdempotencyJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10), wall.Time);
        do
        {
            try
            {
                await using var db = storage.CreateDb();
                var cutoff = wall.Time.UtcNow() - IdempotencyMiddleware.Retention;
                await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired idempotency keys failed; will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
