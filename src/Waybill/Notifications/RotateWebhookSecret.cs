using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// Gives a webhook endpoint a new secret (<c>POST /v1/webhook-endpoints/{id}/rotate-secret</c>), shown in the answer
/// only: every delivery attempt from then on, retries included, is signed with it.
/// </summary>
public static class RotateWebhookSecret
{
    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<WebhookEndpointSecretView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.DisabledAt == null, ct);
            if (endpoint is null)
            {
                return GetWebhookEndpoint.NotFound(id);
            }
            endpoint.RotateSecret();
            await db.SaveChangesAsync(ct);
            return WebhookEndpointSecretView.Of(endpoint);
        }
    }
}
