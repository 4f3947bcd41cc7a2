using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;

namespace Waybill.Tenancy;

public static class ListTenants
{
    public sealed record Item(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset KeyIssuedAt);

    public sealed class Handler(WaybillDb db)
    {
        public async Task<IReadOnlyList<Item>> HandleAsync(CancellationToken ct) =>
            await db.Tenants.AsNoTracking()
                .OrderBy(t => t.NameKey)
                .Select(t => new Item(t.Id, t.Name, t.CreatedAt, t.KeyIssuedAt))
                .ToListAsync(ct);
    }
}
