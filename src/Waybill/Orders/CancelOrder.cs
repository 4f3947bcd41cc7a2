using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

public static class CancelOrder
{
    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<OrderView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var order = await db.Orders.Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == id, ct);
            if (order is null)
            {
                return GetOrder.NotFound(id);
            }
            var cancelled = order.Cancel(clock.UtcNow());
            if (!cancelled.IsSuccess)
            {
                return cancelled.Error!;
            }
            await db.SaveChangesAsync(ct);
            return OrderView.Of(order);
        }
    }
}
