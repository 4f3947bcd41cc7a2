using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Shipping;

/// <summary>
/// Which warehouse a booking ships from: the one the request names, else the order's, else the tenant's only origin
/// warehouse. When none applies the answer is a 422 that says how to fix it.
/// </summary>
public static class ShipFrom
{
    public static async Task<Result<Warehouse>> ResolveAsync(WaybillDb db, Guid? requested, Guid? ofOrder, CancellationToken ct)
    {
        if ((requested ?? ofOrder) is { } id)
        {
            var named = await db.Warehouses.AsNoTracking().Where(w => w.Id == id).ToListAsync(ct);
            return Resolve(named, requested, ofOrder);
        }
        return Resolve(await db.Warehouses.AsNoTracking().Where(w => w.Kind == WarehouseKind.Origin).Take(2).ToListAsync(ct), requested, ofOrder);
    }

    /// <summary>The same choice among warehouses already read (all of the tenant's, or at least those it needs).</summary>
    public static Result<Warehouse> Resolve(IReadOnlyList<Warehouse> warehouses, Guid? requested, Guid? ofOrder)
    {
        ArgumentNullException.ThrowIfNull(warehouses);
        if ((requested ?? ofOrder) is { } id)
        {
            var named = warehouses.FirstOrDefault(w => w.Id == id);
            return named is not null
                ? named
                : new Error(ErrorKind.Unprocessable, "shipping.warehouse_unknown",
                    $"No warehouse {id} ({(requested is not null ? "named by the request" : "named by the order")}); GET /v1/warehouses lists yours.");
        }
        var origins = warehouses.Where(w => w.Kind == WarehouseKind.Origin).Take(2).ToList();
        return origins.Count switch
        {
            1 => origins[0],
            0 => new Error(ErrorKind.Unprocessable, "shipping.no_warehouse",
                "There is no warehouse to ship from: add an origin warehouse (POST /v1/warehouses), or name one in the request (warehouseId)."),
            _ => new Error(ErrorKind.Unprocessable, "shipping.warehouse_ambiguous",
                "There are several origin warehouses: name the one to ship from in the request or on the order (warehouseId)."),
        };
    }
}
