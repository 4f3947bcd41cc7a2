using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;

namespace Waybill.Shipping;

/// <summary>A warehouse as a client sends it.</summary>
public sealed record WarehouseInput(string? Code, string? Name, AddressInput? Address, string? Kind);

public static partial class AddWarehouse
{
    public const int MaxCodeLength = 32;

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<WarehouseView>> HandleAsync(WarehouseInput request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            var code = request.Code?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(code))
            {
                errors.Add("code", "This field is required.");
            }
            else if (code.Length > MaxCodeLength || !CodeShape().IsMatch(code))
            {
                errors.Add("code", $"A warehouse code has 1 to {MaxCodeLength} letters, digits, '-' or '_'.");
            }
            var name = request.Name?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                errors.Add("name", "This field is required.");
            }
            else if (name.Length > 200)
            {
                errors.Add("name", "At most 200 characters.");
            }
            WarehouseKind kind = default;
            switch (request.Kind?.Trim().ToLowerInvariant())
            {
                case "origin":
                    kind = WarehouseKind.Origin;
                    break;
                case "overseas":
                    kind = WarehouseKind.Overseas;
                    break;
                case null or "":
                    errors.Add("kind", "The kind is required: origin or overseas.");
                    break;
                default:
                    errors.Add("kind", $"'{request.Kind}' is not a warehouse kind: origin or overseas.");
                    break;
            }
            var address = ValidateOrder.ValidateAddress(errors, "address", request.Address);
            if (!errors.IsEmpty)
            {
                return errors.ToError("warehouses.invalid", "The warehouse has invalid fields.");
            }
            if (await db.Warehouses.AnyAsync(w => w.Code == code, ct))
            {
                return CodeTaken(code!);
            }
            var warehouse = Warehouse.Create(db.TenantId, code!, name!, kind, address!, clock.UtcNow());
            db.Warehouses.Add(warehouse);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                return CodeTaken(code!);
            }
            return WarehouseView.Of(warehouse);
        }

        private static Error CodeTaken(string code) =>
            Error.Conflict("warehouses.code_taken", $"A warehouse with code '{code}' already exists.");
    }

    [GeneratedRegex("^[A-Z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeShape();
}

public static class ListWarehouses
{
    public sealed class Handler(WaybillDb db)
    {
        /// <summary>Every warehouse of the tenant, by code (a tenant has a handful, so the list is not paged).</summary>
        public async Task<IReadOnlyList<WarehouseView>> HandleAsync(CancellationToken ct)
        {
            var warehouses = await db.Warehouses.AsNoTracking().OrderBy(w => w.Code).ToListAsync(ct);
            return warehouses.Select(WarehouseView.Of).ToList();
        }
    }
}

public static class GetWarehouse
{
    public sealed class Handler(WaybillDb db)
    {
        /// <summary>Another tenant's warehouse is not found, exactly like one that does not exist.</summary>
        public async Task<Result<WarehouseView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var warehouse = await db.Warehouses.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
            return warehouse is null ? NotFound(id) : WarehouseView.Of(warehouse);
        }
    }

    internal static Error NotFound(Guid id) => Error.NotFound("warehouses.not_found", $"No warehouse {id}.");
}
