using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Tenancy;

/// <summary>Looks up the tenant that owns an API key, by the key's hash.</summary>
public static class FindTenantByKey
{
    private static readonly Func<WaybillDb, string, Task<Guid>> Query =
        EF.CompileAsyncQuery((WaybillDb db, string hash) =>
            db.Tenants.Where(t => t.ApiKeyHash == hash).Select(t => t.Id).FirstOrDefault());

    public static async Task<Guid?> HandleAsync(WaybillDb db, string apiKeyHash)
    {
        var id = await Query(db, apiKeyHash);
        return id == Guid.Empty ? null : id;
    }
}
