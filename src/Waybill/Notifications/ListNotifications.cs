using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;

namespace Waybill.Notifications;

/// <summary>A notification in the log (<c>GET /v1/notifications</c>).</summary>
public sealed record NotificationView(
    Guid Id, Guid ShipmentId, string Audience, string Kind, string Channel, string Status, string? Locale, string? Recipient,
    string? Subject, string? Text, string? Reason, int Attempts, DateTimeOffset? EventAt, DateTimeOffset ScheduledFor, DateTimeOffset? SentAt, DateTimeOffset CreatedAt,
    Guid? EndpointId)
{
    internal static NotificationView Of(Notification n) => new(
        n.Id, n.ShipmentId, n.Audience, n.Kind, n.Channel, n.Status, n.Locale, n.Recipient, n.Subject, n.Text, n.Reason, n.Attempts, n.EventAt,
        n.ScheduledFor, n.SentAt, n.CreatedAt, n.EndpointId);
}

/// <summary>
/// The notifications log, newest first, by shipment, kind (a notification kind or a webhook event type), status, channel
/// (<c>email</c> or <c>webhook</c>) and webhook endpoint: emails and webhook deliveries alike.
/// </summary>
public static class ListNotifications
{
    public sealed record Request(string? ShipmentId, string? Kind, string? Status, int? Page, int? PageSize, string? Channel = null, string? EndpointId = null);

    public static readonly IReadOnlyList<string> Channels = ["email", "webhook"];

    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<PageOf<NotificationView>>> HandleAsync(Request request, CancellationToken ct)
        {
            var errors = new ValidationErrors();
            Guid? shipment = null;
            if (!string.IsNullOrWhiteSpace(request.ShipmentId))
            {
                if (Guid.TryParse(request.ShipmentId, out var id))
                {
                    shipment = id;
                }
                else
                {
                    errors.Add("shipmentId", $"'{request.ShipmentId}' is not a shipment id.");
                }
            }
            var kind = request.Kind?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(kind) && !NotificationKinds.All.Contains(kind) && !WebhookEvents.Types.Contains(kind))
            {
                errors.Add("kind", $"Not a kind: {string.Join(", ", NotificationKinds.All.Concat(WebhookEvents.Types))}.");
            }
            var channel = request.Channel?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(channel) && !Channels.Contains(channel))
            {
                errors.Add("channel", $"Not a channel: {string.Join(", ", Channels)}.");
            }
            Guid? endpoint = null;
            if (!string.IsNullOrWhiteSpace(request.EndpointId))
            {
                if (Guid.TryParse(request.EndpointId, out var id))
                {
                    endpoint = id;
                }
                else
                {
                    errors.Add("endpointId", $"'{request.EndpointId}' is not a webhook endpoint id.");
                }
            }
            var status = request.Status?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(status) && !NotificationStatus.All.Contains(status))
            {
                errors.Add("status", $"Not a status: {string.Join(", ", NotificationStatus.All)}.");
            }
            var (page, size) = Paging.Check(request.Page, request.PageSize, errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError("notifications.invalid_query", "The query has invalid parameters.");
            }
            var query = db.Notifications.AsNoTracking();
            if (shipment is { } s)
            {
                query = query.Where(n => n.ShipmentId == s);
            }
            if (!string.IsNullOrEmpty(kind))
            {
                query = query.Where(n => n.Kind == kind);
            }
            if (!string.IsNullOrEmpty(status))
            {
                query = query.Where(n => n.Status == status);
            }
            if (!string.IsNullOrEmpty(channel))
            {
                query = query.Where(n => n.Channel == channel);
            }
            if (endpoint is { } e)
            {
                query = query.Where(n => n.EndpointId == e);
            }
            var total = await query.CountAsync(ct);
            var items = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Skip((page - 1) * size).Take(size).ToListAsync(ct);
            return new PageOf<NotificationView>([.. items.Select(NotificationView.Of)], total, page, size);
        }
    }
}
