using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// The seller's active webhook endpoints, newest first (<c>GET /v1/webhook-endpoints</c>); no secrets. The dashboard
/// lists the disabled ones too (<see cref="Request.IncludeDisabled"/>), to enable them again.
/// </summary>
public static class ListWebhookEndpoints
{
    public sealed record Request(int? Page, int? PageSize, bool IncludeDisabled = false);

    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<PageOf<WebhookEndpointView>>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            var (page, size) = Paging.Check(request.Page, request.PageSize, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("webhooks.invalid_query", "The query has invalid parameters.");
            }
            var query = request.IncludeDisabled ? db.WebhookEndpoints.AsNoTracking() : db.WebhookEndpoints.AsNoTracking().Where(e => e.DisabledAt == null);
            var total = await query.CountAsync(ct);
            var items = await query.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Skip((page - 1) * size).Take(size).ToListAsync(ct);
            return new PageOf<WebhookEndpointView>([.. items.Select(WebhookEndpointView.Of)], total, page, size);
        }
    }
}
