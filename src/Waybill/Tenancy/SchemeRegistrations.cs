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

    public async Task<IReadOnlySet<string>> ForAsync(WaybillDb db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(db.TenantId, out var entry) && entry.Until > now)
        {
            return entry.Schemes;
        }
        var schemes = await ReadAsync(db, ct);
        _cache[db.TenantId] = (schemes, now + Lifetime);
        return schemes;
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
