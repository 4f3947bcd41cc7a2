using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// Deletes a webhook endpoint (<c>DELETE /v1/webhook-endpoints/{id}</c>): it is disabled, so nothing more is published
/// to it and its queued deliveries are skipped; what it was sent stays in the log.
/// </summary>
public static class DeleteWebhookEndpoint
{
    public sealed class Handler(WaybillDb db, TimeProvider clock)
    {
        public async Task<Result<Guid>> HandleAsync(Guid id, CancellationToken ct)
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.DisabledAt == null, ct);
            if (endpoint is null)
            {
                return GetWebhookEndpoint.NotFound(id);
            }
            endpoint.Disable(clock.UtcNow());
            await db.SaveChangesAsync(ct);
            return id;
        }
    }
}
