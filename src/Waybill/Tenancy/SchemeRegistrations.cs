using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Tenancy;

/// <summary>
/// The collection schemes each tenant is registered for, read from its settings and kept for <see cref="Lifetime"/> so
/// that a quote at checkout does not read the database. A PATCH in this process forgets the tenant's entry at once;
/// another replica sees the change within <see cref="Lifetime"/>.
/// </summary>
public sealed class SchemeRegistrations(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>The registrations of a tenant that never changed its settings.</summary>
    public static readonly FrozenSet<string> Defaults =
        CustomsSchemes.All.Where(s => s.Value.Registered).Select(s => s.Key).ToFrozenSet(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<Guid, (FrozenSet<string> Schemes, DateTimeOffset Until)> _cache = new();

    public ValueTask<IReadOnlySet<string>> ForAsync(WaybillDb db, CancellationToken ct) => ForAsync(db.TenantId, () => db, ct);

    /// <summary>The tenant's registrations; <paramref name="database"/> is called only when they are not cached.</summary>
    public async ValueTask<IReadOnlySet<string>> ForAsync(Guid tenantId, Func<WaybillDb> database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (TryCached(tenantId, out var cached))
        {
            return cached;
        }
        var now = clock.GetUtcNow();
        var schemes = await ReadAsync(database(), ct);
        _cache[tenantId] = (schemes, now + Lifetime);
        return schemes;
    }

    /// <summary>The tenant's registrations when they are cached and current (a checkout's quote asks this first, with nothing to allocate).</summary>
    public bool TryCached(Guid tenantId, out IReadOnlySet<string> schemes)
    {
        if (_cache.TryGetValue(tenantId, out var entry) && entry.Until > clock.GetUtcNow())
        {
            schemes = entry.Schemes;
            return true;
        }
        schemes = Defaults;
        return false;
    }

    /// <summary>The schemes the tenant of <paramref name="db"/> is registered for, read from its settings now.</summary>
    public static async Task<FrozenSet<string>> ReadAsync(WaybillDb db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stored = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(ct);
        return stored is null
            ? Defaults
            : Settings.ViewOf(stored).Schemes.Where(s => s.Value.Registered).Select(s => s.Key).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Called when a tenant's settings change.</summary>
    public void Forget(Guid tenantId) => _cache.TryRemove(tenantId, out _);
}
