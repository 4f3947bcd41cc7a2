using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

public static class CreateOrder
{
    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<OrderView>> HandleAsync(OrderInput request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            var valid = ValidateOrder.Validate(request, errors);
            if (valid is null)
            {
                return errors.ToError("orders.invalid", "The order has invalid fields.");
            }
            if (valid.WarehouseId is { } warehouseId && !await db.Warehouses.AnyAsync(w => w.Id == warehouseId, ct))
            {
                errors.Add("warehouseId", $"No warehouse {warehouseId} (GET /v1/warehouses lists yours).");
                return errors.ToError("orders.invalid", "The order has invalid fields.");
            }
            if (await db.Orders.AnyAsync(o => o.Reference == valid.Reference, ct))
            {
                return ReferenceTaken(valid.Reference);
            }
            var order = Order.Create(db.TenantId, valid, clock.UtcNow());
            db.Orders.Add(order);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (db.IsUniqueViolation(ex))
            {
                db.ChangeTracker.Clear();
                return ReferenceTaken(valid.Reference);
            }
            return OrderView.Of(order);
        }

        private static Error ReferenceTaken(string reference) =>
            Error.Conflict("orders.reference_taken", $"An order with reference '{reference}' already exists.");
    }
}
