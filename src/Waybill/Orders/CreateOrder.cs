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
            if (ValidateOrder.UnknownHsCodes(valid) is { IsEmpty: false } unknown)
            {
                return ValidateOrder.UnknownHsCodesError(unknown);
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
            var priced = await new CreateOrders.Landing(db).PriceAsync([order], clock.UtcNow(), ct);
            if (priced[0] is { } refused)
            {
                return refused;
            }
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

/// <summary>
/// Creates many orders in one transaction (the sandbox simulation's and demo's order flow): each is checked as
/// <see cref="CreateOrder"/> checks one, references already taken (or repeated in the batch) are refused one by one,
/// and the valid orders are written together (bulk insert) while the others get their own error.
/// </summary>
public static class CreateOrders
{
    public const int MaxBatch = 5_000;

    /// <summary>One input's result: the order created, or why not.</summary>
    public sealed record Outcome(Order? Order, Error? Error);

    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<IReadOnlyList<Outcome>> HandleAsync(IReadOnlyList<OrderInput> inputs, CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(inputs.Count, MaxBatch, nameof(inputs));
            var outcomes = new Outcome[inputs.Count];
            var valid = new (int Index, ValidOrder Order)[inputs.Count];
            var count = 0;
            for (var i = 0; i < inputs.Count; i++)
            {
                var errors = new ValidationErrors();
                var order = ValidateOrder.Validate(inputs[i], errors);
                if (order is null)
                {
                    outcomes[i] = new Outcome(null, errors.ToError("orders.invalid", "The order has invalid fields."));
                }
                else if (ValidateOrder.UnknownHsCodes(order) is { IsEmpty: false } unknown)
                {
                    outcomes[i] = new Outcome(null, ValidateOrder.UnknownHsCodesError(unknown));
                }
                else
                {
                    valid[count++] = (i, order);
                }
            }
            var landing = new Landing(db);
            var warehouses = (await landing.WarehousesAsync(ct)).Select(w => w.Id).ToHashSet();
            var taken = await ExistingAsync(db, valid.Take(count).Select(v => v.Order.Reference), ct);
            var now = clock.UtcNow();
            var orders = new List<Order>(count);
            var positions = new List<int>(count);
            foreach (var (index, order) in valid.Take(count))
            {
                if (order.WarehouseId is { } warehouseId && !warehouses.Contains(warehouseId))
                {
                    var errors = new ValidationErrors();
                    errors.Add("warehouseId", $"No warehouse {warehouseId} (GET /v1/warehouses lists yours).");
                    outcomes[index] = new Outcome(null, errors.ToError("orders.invalid", "The order has invalid fields."));
                }
                else if (!taken.TryAdd(order.Reference, order.ContentHash))
                {
                    outcomes[index] = new Outcome(null, Error.Conflict("orders.reference_taken", $"An order with reference '{order.Reference}' already exists."));
                }
                else
                {
                    var created = Order.Create(db.TenantId, order, now);
                    orders.Add(created);
                    positions.Add(index);
                    outcomes[index] = new Outcome(created, null);
                }
            }
            // The destination refuses some goods (or every parcel): those orders are not created.
            var refusals = await landing.PriceAsync(orders, now, ct);
            for (var i = 0; i < orders.Count; i++)
            {
                if (refusals[i] is { } refused)
                {
                    outcomes[positions[i]] = new Outcome(null, refused);
                }
            }
            orders = [.. orders.Where((_, i) => refusals[i] is null)];
            if (orders.Count > 0)
            {
                var outer = db.Database.CurrentTransaction;
                await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
                await BulkWriter.InsertAsync(db, orders, null, ct);
                await BulkWriter.InsertAsync(db, orders.SelectMany(o => o.Lines), null, ct);
                if (own is not null)
                {
                    await own.CommitAsync(ct);
                }
            }
            return outcomes;
        }
    }

    /// <summary>
    /// Prices new orders' landing (provisional): from the warehouse that would ship each (the one it names, else the
    /// tenant's only origin warehouse), by post, today, with the order's shipping price.
    /// </summary>
    internal sealed class Landing(WaybillDb db)
    {
        private List<Waybill.Shipping.Warehouse>? _warehouses;

        public async Task<List<Waybill.Shipping.Warehouse>> WarehousesAsync(CancellationToken ct) =>
            _warehouses ??= await db.Warehouses.AsNoTracking().ToListAsync(ct);

        /// <summary>Sets each order's provisional landed cost; the refusal of each order the destination will not take, else null.</summary>
        public async Task<Error?[]> PriceAsync(IReadOnlyList<Order> orders, DateTimeOffset now, CancellationToken ct)
        {
            var refusals = new Error?[orders.Count];
            if (orders.Count == 0)
            {
                return refusals;
            }
            var warehouses = await WarehousesAsync(ct);
            var schemes = await Waybill.Tenancy.SchemeRegistrations.ReadAsync(db, ct);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            for (var i = 0; i < orders.Count; i++)
            {
                var order = orders[i];
                var from = Waybill.Shipping.ShipFrom.Resolve(warehouses, null, order.WarehouseId);
                if (!from.IsSuccess)
                {
                    continue; // the origin is not known until the order is booked
                }
                var priced = OrderLandedCost.Of(order, from.Value.AddressCountry, today, Waybill.Customs.ShippingMode.Postal, order.ShippingPrice, schemes, final: false);
                if (priced.IsSuccess)
                {
                    order.PriceLanding(priced.Value);
                }
                else
                {
                    refusals[i] = priced.Error;
                }
            }
            return refusals;
        }
    }

    /// <summary>The content hash of each of these references that an order of the tenant already has.</summary>
    internal static async Task<Dictionary<string, string>> ExistingAsync(WaybillDb db, IEnumerable<string> references, CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in references.Chunk(500))
        {
            var rows = await db.Orders.AsNoTracking()
                .Where(o => chunk.Contains(o.Reference))
                .Select(o => new { o.Reference, o.ContentHash })
                .ToListAsync(ct);
            foreach (var row in rows)
            {
                found[row.Reference] = row.ContentHash;
            }
        }
        return found;
    }
}
