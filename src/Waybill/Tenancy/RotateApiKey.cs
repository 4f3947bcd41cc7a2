using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tenancy;

public static class RotateApiKey
{
    public sealed record Request(string? Name);

    public sealed record Response(Guid Id, string Name, string ApiKey);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        /// <summary>Replaces the key; the old one stops working as soon as this commits.</summary>
        public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
        {
            var key = Tenant.KeyOf(request.Name ?? "");
            var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.NameKey == key, ct);
            if (tenant is null)
            {
                return Error.NotFound("tenants.not_found", $"No tenant is named '{request.Name}'.");
            }
            var apiKey = ApiKeys.Generate();
            tenant.ReplaceKey(ApiKeys.Hash(apiKey), clock.UtcNow());
            await db.SaveChangesAsync(ct);
            return new Response(tenant.Id, tenant.Name, apiKey);
        }
    }
}
