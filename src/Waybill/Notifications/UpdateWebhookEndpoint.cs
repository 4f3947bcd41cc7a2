using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>
/// Changes a webhook endpoint's URL or events (<c>PATCH /v1/webhook-endpoints/{id}</c>), checked as on creation, the
/// private-address refusal included. Deliveries still queued go to the new URL; the secret stays.
/// </summary>
public static class UpdateWebhookEndpoint
{
    public sealed record Request(string? Url, IReadOnlyList<string?>? Events);

    public sealed class Handler(WaybillDb db, WebhookUrlPolicy policy)
    {
        public async Task<Result<WebhookEndpointView>> HandleAsync(Guid id, Request request, CancellationToken ct)
        {
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.DisabledAt == null, ct);
            if (endpoint is null)
            {
                return GetWebhookEndpoint.NotFound(id);
            }
            var errors = new ValidationErrors();
            var codes = new List<string>();
            if (request.Url is null && request.Events is null)
            {
                errors.Add("url", "Name what to change: url, events or both.");
                codes.Add("webhooks.invalid");
            }
            var url = request.Url is null ? null : CreateWebhookEndpoint.CheckUrl(request.Url, errors, codes);
            var events = request.Events is null ? null : CreateWebhookEndpoint.CheckEvents(request.Events, errors, codes);
            if (!errors.IsEmpty)
            {
                return errors.ToError(codes.Distinct().Count() == 1 ? codes[0] : "webhooks.invalid", "The webhook endpoint has invalid fields.");
            }
            if (url is not null && await policy.CheckAsync(url, ct) is { } why)
            {
                return CreateWebhookEndpoint.PrivateAddress(why);
            }
            endpoint.Change(url?.AbsoluteUri, events);
            await db.SaveChangesAsync(ct);
            return WebhookEndpointView.Of(endpoint);
        }
    }
}
