using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Orders;

public static class ListOrders
{
    /// <summary><paramref name="Reference"/>: orders whose reference contains it, case ignored.</summary>
    public sealed record Request(string? Status, int? Page, int? PageSize, string? Reference = null);

    public const int MaxReferenceSearch = 100;

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
            var reference = request.Reference?.Trim();
            if (reference is { Length: > MaxReferenceSearch })
            {
                errors.Add("reference", $"At most {MaxReferenceSearch} characters (an order's reference is no longer).");
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
            if (!string.IsNullOrEmpty(reference))
            {
                // LOWER on both sides: the same answer on SQLite and PostgreSQL (LIKE's case rules differ between them).
                var lower = reference.ToLowerInvariant();
#pragma warning disable CA1862, CA1304, CA1311 // translated to SQL LOWER(); a culture-aware overload has no translation
                query = query.Where(o => o.Reference.ToLower().Contains(lower));
#pragma warning restore CA1862, CA1304, CA1311
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
