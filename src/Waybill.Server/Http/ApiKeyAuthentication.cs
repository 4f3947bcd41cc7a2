using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;
using Waybill.Tenancy;

namespace Waybill.Server.Http;

/// <summary>
/// Resolves <c>Authorization: Bearer KEY</c> to a tenant. Hits are cached for at most
/// <see cref="CacheLifetime"/> (5 s) and a miss is never cached, so a tenant added by the CLI can call at once.
/// A rotation made by another process (the CLI, another replica) drops the old key from the cache within one
/// 200 ms poll of the recently rotated keys.
/// </summary>
/// <remarks>
/// The cache is keyed by the key as sent, so that a cached request costs one lookup and no SHA-256 (the database keeps
/// only the hash; hashing every request cost several microseconds of the checkout's quote). The process holds the keys
/// it has just been sent, as it holds every request's headers; an entry keeps its key's hash, so that a rotation can
/// find the keys it replaced.
/// </remarks>
internal sealed class ApiKeyAuthenticator
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    private readonly WallClock _wall;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public ApiKeyAuthenticator(WallClock wall)
    {
        _wall = wall;
        _bySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The tenant of a key found in the cache, else null (then <see cref="AuthenticateAsync"/> asks the database).</summary>
    public Guid? Cached(ReadOnlySpan<char> apiKey) =>
        _bySpan.TryGetValue(apiKey, out var hit) && hit.Expires > _wall.Time.GetTimestamp() ? hit.Tenant : null;

    public async ValueTask<Guid?> AuthenticateAsync(WaybillDb db, string apiKey)
    {
        if (Cached(apiKey) is { } cached)
        {
            return cached;
        }
        var hash = ApiKeys.Hash(apiKey);
        var now = _wall.Time.GetTimestamp();
        var tenant = await FindTenantByKey.HandleAsync(db, hash);
        if (tenant is { } id)
        {
            _cache[apiKey] = new Entry(id, hash, now + (long)(CacheLifetime.TotalSeconds * _wall.Time.TimestampFrequency));
        }
        else
        {
            _cache.TryRemove(apiKey, out _);
        }
        return tenant;
    }

    /// <summary>Drops cached keys of the given tenants that are no longer their current key.</summary>
    public void DropReplacedKeys(IReadOnlyDictionary<Guid, string> currentKeyHashes)
    {
        foreach (var (key, entry) in _cache)
        {
            if (currentKeyHashes.TryGetValue(entry.Tenant, out var current) && !string.Equals(current, entry.Hash, StringComparison.Ordinal))
            {
                _cache.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct Entry(Guid Tenant, string Hash, long Expires);
}

/// <summary>
/// Every 200 ms, reads the keys issued recently (by any process) and drops the keys they replaced from the cache.
/// "Recently" spans twice the cache lifetime plus clock skew, so a lookup racing a rotation is caught by a later poll.
/// </summary>
internal sealed partial class ApiKeyRotationWatcher(Storage storage, ApiKeyAuthenticator authenticator, WallClock wall, ILogger<ApiKeyRotationWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Window = (ApiKeyAuthenticator.CacheLifetime * 2) + TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        do
        {
            try
            {
                var since = wall.Time.GetUtcNow() - Window;
                await using var db = storage.CreateDb();
                var recent = await db.Tenants.AsNoTracking()
                    .Where(t => t.KeyIssuedAt > since && t.KeyIssuedAt != t.CreatedAt)
                    .ToDictionaryAsync(t => t.Id, t => t.ApiKeyHash, stoppingToken);
                if (recent.Count > 0)
                {
                    authenticator.DropReplacedKeys(recent);
                }
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
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, IServiceScopeFactory scopes)
{
    public async Task InvokeAsync(HttpContext context)
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
        // A cached key needs no database context (nor a copy of the key); an uncached one is looked up with the request's own.
        var tenant = authenticator.Cached(header.AsSpan(7).Trim());
        WaybillDb? db = null;
        if (tenant is null)
        {
            db = context.RequestServices.GetRequiredService<WaybillDb>();
            tenant = await authenticator.AuthenticateAsync(db, header[7..].Trim());
        }
        if (tenant is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await Problems.WriteAsync(context, 401, "auth.unknown_key", "The API key is not valid (unknown, or replaced by a newer key).");
            return;
        }
        // The request's service scope gets the tenant when it is first made (most requests make one; a quote whose
        // tenant's settings are cached does not). ASP.NET Core makes its services feature on first use: made here the same way.
        var services = context.Features.Get<IServiceProvidersFeature>() ?? new RequestServicesFeature(context, scopes);
        context.Features.Set<IServiceProvidersFeature>(new TenantServices(services, tenant.Value));
        if (db is not null)
        {
            db.TenantId = tenant.Value;
        }
        await next(context);
    }
}
