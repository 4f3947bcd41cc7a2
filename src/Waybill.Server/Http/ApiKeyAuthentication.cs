using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;
using Waybill.Tenancy;

namespace Waybill.Server.Http;

/// <summary>
/// Resolves <c>Authorization: Bearer KEY</c> to a tenant. Hits are cached for at most
/// <see cref="CacheLifetime"/> (5 s) and a miss is never cached, so a tenant added by the CLI can call at once.
/// A key rotated in this process is dropped from the cache at once; a poll of the tenants table drops every
/// cached key within 200 ms of a rotation made by another process (the CLI, another replica).
/// </summary>
internal sealed class ApiKeyAuthenticator(TimeProvider clock)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (Guid Tenant, long Expires)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<Guid?> AuthenticateAsync(WaybillDb db, string apiKey)
    {
        var hash = ApiKeys.Hash(apiKey);
        var now = clock.GetTimestamp();
        if (_cache.TryGetValue(hash, out var hit) && hit.Expires > now)
        {
            return hit.Tenant;
        }
        var tenant = await FindTenantByKey.HandleAsync(db, hash);
        if (tenant is { } id)
        {
            _cache[hash] = (id, now + (long)(CacheLifetime.TotalSeconds * clock.TimestampFrequency));
        }
        else
        {
            _cache.TryRemove(hash, out _);
        }
        return tenant;
    }

    public void Clear() => _cache.Clear();
}

/// <summary>Polls the newest key issue time and clears the key cache when any key changed elsewhere.</summary>
internal sealed partial class ApiKeyRotationWatcher(Storage storage, ApiKeyAuthenticator authenticator, ILogger<ApiKeyRotationWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? seen = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        do
        {
            try
            {
                await using var db = storage.CreateDb();
                var latest = await db.Tenants.MaxAsync(t => (DateTimeOffset?)t.KeyIssuedAt, stoppingToken);
                if (seen is not null && latest != seen)
                {
                    authenticator.Clear();
                }
                seen = latest;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling API key changes failed; cached keys expire within 5 s anyway")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

/// <summary>Authenticates every <c>/v1</c> request and scopes the request's database context to its tenant.</summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator)
{
    public async Task InvokeAsync(HttpContext context, WaybillDb db)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.WriteAsync(context, 401, "auth.missing_key", "Send the tenant's API key as 'Authorization: Bearer KEY'.");
            return;
        }
        var tenant = await authenticator.AuthenticateAsync(db, header[7..].Trim());
        if (tenant is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await Problems.WriteAsync(context, 401, "auth.unknown_key", "The API key is not valid (unknown, or replaced by a newer key).");
            return;
        }
        db.TenantId = tenant.Value;
        await next(context);
    }
}
