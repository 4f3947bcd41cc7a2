using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Tenancy;

/// <summary>Looks up the tenant that owns an API key, by the key's hash (a unique index).</summary>
public static class FindTenantByKey
{
    // Not EF.CompileAsyncQuery: a compiled query binds to the first model it meets, and each provider has its own.
    public static async Task<Guid?> HandleAsync(WaybillDb db, string apiKeyHash)
    {
        var id = await db.Tenants.AsNoTracking().Where(t => t.ApiKeyHash == apiKeyHash).Select(t => t.Id).FirstOrDefaultAsync();
        return id == Guid.Empty ? null : id;
    }
}
