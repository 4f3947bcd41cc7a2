using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// Removes a webhook endpoint for good (the dashboard's "Delete", enabled or disabled), where
/// <see cref="DeleteWebhookEndpoint"/> (the API's DELETE) only disables it. Its deliveries stay in the notifications log
/// (<c>GET /v1/notifications?channel=webhook</c>); those still queued are skipped, as for a disabled endpoint.
/// </summary>
public static class RemoveWebhookEndpoint
{
    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<Guid>> HandleAsync(Guid id, CancellationToken ct)
        {
            var removed = await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(ct);
            return removed == 0 ? GetWebhookEndpoint.NotFound(id) : id;
        }
    }
}
