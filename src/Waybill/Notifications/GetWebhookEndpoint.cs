using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>One active webhook endpoint of the seller (<c>GET /v1/webhook-endpoints/{id}</c>); no secret.</summary>
public static class GetWebhookEndpoint
{
    public sealed class Handler(WaybillDb db)
    {
        public Task<Result<WebhookEndpointView>> HandleAsync(Guid id, CancellationToken ct) => HandleAsync(id, includeDisabled: false, ct);

        /// <summary>With <paramref name="includeDisabled"/>, a disabled endpoint too (the dashboard shows it, to enable it again).</summary>
        public async Task<Result<WebhookEndpointView>> HandleAsync(Guid id, bool includeDisabled, CancellationToken ct) =>
            await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && (includeDisabled || e.DisabledAt == null), ct) is { } endpoint
                ? WebhookEndpointView.Of(endpoint)
                : NotFound(id);
    }

    internal static Error NotFound(Guid id) => Error.NotFound("webhooks.endpoint_not_found", $"No webhook endpoint {id}.");
}
