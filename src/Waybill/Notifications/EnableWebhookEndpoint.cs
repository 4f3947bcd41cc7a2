using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// Enables a disabled webhook endpoint again (the dashboard's "Enable"; <see cref="DeleteWebhookEndpoint"/> disables): it
/// takes the events it subscribes to from now on, signed with the secret it had. Deliveries skipped while it was disabled
/// are not sent. 409 <c>webhooks.already_enabled</c> when it is enabled.
/// </summary>
public static class EnableWebhookEndpoint
{
    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<WebhookEndpointView>> HandleAsync(Guid id, CancellationToken ct)
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null)
            {
                return GetWebhookEndpoint.NotFound(id);
            }
            var enabled = endpoint.Enable();
            if (!enabled.IsSuccess)
            {
                return enabled.Error!;
            }
            await db.SaveChangesAsync(ct);
            return WebhookEndpointView.Of(endpoint);
        }
    }
}
