using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

public static class ListOrders
{
    public sealed record Request(string? Status, int? Page, int? PageSize);

    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<PageOf<OrderView>>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            OrderStatus? status = null;
            if (!string.IsNullOrWhiteSpace(request.Status))
            {
                if (Enum.TryParse<OrderStatus>(request.Status, ignoreCase: true, out var s) && !int.TryParse(request.Status, out _))
                {
                    status = s;
                }
                else
                {
                    errors.Add("status", $"'{request.Status}' is not an order status: {string.Join(", ", Enum.GetNames<OrderStatus>().Select(n => n.ToLowerInvariant()))}.");
                }
            }
            var (page, pageSize) = Paging.Check(request.Page, request.PageSize, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("request.invalid_query", "The query has invalid parameters.");
            }

            var query = db.Orders.AsNoTracking();
            if (status is { } st)
            {
                query = query.Where(o => o.Status == st);
            }
            var total = await query.CountAsync(ct);
            var orders = await query
                .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .Include(o => o.Lines)
                .AsSplitQuery()
                .ToListAsync(ct);
            return new PageOf<OrderView>(orders.Select(OrderView.Of).ToList(), total, page, pageSize);
        }
    }
}
