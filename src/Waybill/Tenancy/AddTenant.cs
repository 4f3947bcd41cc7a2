using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Tenancy;

public static class AddTenant
{
    /// <summary>A new tenant; its currency (ISO 4217) defaults to EUR.</summary>
    public sealed record Request(string? Name, string? Currency = null);

    /// <summary>The API key appears here once and is never stored.</summary>
    public sealed record Response(Guid Id, string Name, string ApiKey);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
        {
            var name = request.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(char.IsControl))
            {
                var errors = new ValidationErrors();
                errors.Add("name", "A tenant name is 1 to 200 printable characters.");
                return errors.ToError();
            }
            Currency? currency = null;
            if (!string.IsNullOrWhiteSpace(request.Currency))
            {
                if (!Common.Currency.TryCreate(request.Currency, out var c, out var reason))
                {
                    var errors = new ValidationErrors();
                    errors.Add("currency", reason!);
                    return errors.ToError();
                }
                currency = c;
            }
            var key = Tenant.KeyOf(name);
            if (await db.Tenants.AnyAsync(t => t.NameKey == key, ct))
            {
                return Error.Conflict("tenants.name_taken", $"A tenant named '{name}' already exists (names ignore case).");
            }
            var apiKey = ApiKeys.Generate();
            var tenant = Tenant.Create(name, ApiKeys.Hash(apiKey), clock.UtcNow(), currency);
            db.Tenants.Add(tenant);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                return Error.Conflict("tenants.name_taken", $"A tenant named '{name}' already exists (names ignore case).");
            }
            return new Response(tenant.Id, tenant.Name, apiKey);
        }
    }
}
