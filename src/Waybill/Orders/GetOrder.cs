using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

public static class GetOrder
{
    public sealed class Handler(WaybillDb db)
    {
        /// <summary>Another tenant's order is not found, exactly like one that does not exist.</summary>
        public async Task<Result<OrderView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == id, ct);
            return order is null ? NotFound(id) : OrderView.Of(order);
        }
    }

    internal static Error NotFound(Guid id) => Error.NotFound("orders.not_found", $"No order {id}.");
}
