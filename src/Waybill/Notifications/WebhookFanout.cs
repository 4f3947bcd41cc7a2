using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Notifications;

/// <summary>
/// Publishes the seller's webhook events from the notifications outbox. The first time the sender handles a
/// notification (whatever came of it: sent, held, skipped), its event (<see cref="WebhookEvents.ForNotification"/>) is
/// queued as one delivery row per active endpoint subscribed to it; an email that became sent or failed adds
/// <c>notification.sent</c> or <c>notification.failed</c>. The rows are added to the sender's context, so they are
/// saved in the same <c>SaveChanges</c> as the notification's own state: nothing lost, nothing doubled. Their once-key
/// occurrence is a hash of (notification, endpoint), so a publication made again inserts nothing.
/// One instance per batch: each tenant's endpoints are read once.
/// </summary>
internal sealed class WebhookFanout(WaybillDb db)
{
    private readonly Dictionary<Guid, List<WebhookEndpoint>> _endpoints = [];

    /// <summary>Adds the deliveries the notification's new state calls for; call before saving that state.</summary>
    public async Task PublishAsync(Notification n, DateTimeOffset now, CancellationToken ct)
    {
        if (n.Channel != "email")
        {
            return;
        }
        var events = new List<(string Type, DateTimeOffset At)>(2);
        if (n.PublishedAt is null)
        {
            if (WebhookEvents.ForNotification(n.Audience, n.Kind) is { } type)
            {
                events.Add((type, n.EventAt ?? now));
            }
            n.MarkPublished(now);
        }
        if (n.Status == NotificationStatus.Sent)
        {
            events.Add((WebhookEvents.NotificationSent, n.SentAt ?? now));
        }
        else if (n.Status == NotificationStatus.Failed)
        {
            events.Add((WebhookEvents.NotificationFailed, now));
        }
        if (events.Count == 0)
        {
            return;
        }
        var endpoints = await EndpointsAsync(n.TenantId, ct);
        if (!events.Any(e => endpoints.Any(x => x.Subscribes(e.Type))))
        {
            return;
        }
        // A publication made again (it should not be: published_at is saved with the deliveries) adds nothing: the
        // deliveries already in the once-key are left out, by one look-up on that index.
        var types = events.Select(e => e.Type).ToList();
        var existing = (await db.Notifications.AsNoTracking().IgnoreQueryFilters()
                .Where(x => x.ShipmentId == n.ShipmentId && x.Channel == "webhook" && types.Contains(x.Kind))
                .Select(x => new { x.Kind, x.Occurrence }).ToListAsync(ct))
            .Select(x => (x.Kind, x.Occurrence)).ToHashSet();
        var data = await DataAsync(n, ct);
        foreach (var (type, at) in events)
        {
            string? body = null;
            foreach (var endpoint in endpoints.Where(x => x.Subscribes(type)))
            {
                var occurrence = Occurrence(n.Id, endpoint.Id);
                if (existing.Contains((type, occurrence)))
                {
                    continue;
                }
                body ??= Body(type, at, n, data);
                db.Notifications.Add(Notification.CreateWebhook(n, type, endpoint, occurrence, body, now));
            }
        }
    }

    private async Task<List<WebhookEndpoint>> EndpointsAsync(Guid tenantId, CancellationToken ct)
    {
        if (!_endpoints.TryGetValue(tenantId, out var endpoints))
        {
            endpoints = await db.WebhookEndpoints.AsNoTracking().IgnoreQueryFilters()
                .Where(e => e.TenantId == tenantId && e.DisabledAt == null).ToListAsync(ct);
            _endpoints[tenantId] = endpoints;
        }
        return endpoints;
    }

    /// <summary>The once-key's occurrence of a delivery: 63 bits of SHA-256 over (notification, endpoint), the same every time.</summary>
    internal static long Occurrence(Guid notificationId, Guid endpointId)
    {
        Span<byte> input = stackalloc byte[32];
        notificationId.TryWriteBytes(input[..16]);
        endpointId.TryWriteBytes(input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash) & long.MaxValue;
    }

    internal sealed record Facts(string? TrackingNumber, string? Carrier, Guid? OrderId, string? OrderReference, TrackingEvent? Cause);

    private async Task<Facts> DataAsync(Notification n, CancellationToken ct)
    {
        var leg = await db.ShipmentLegs.AsNoTracking().IgnoreQueryFilters()
            .Where(l => l.ShipmentId == n.ShipmentId).OrderByDescending(l => l.Sequence).FirstOrDefaultAsync(ct);
        var orderId = await db.Shipments.AsNoTracking().IgnoreQueryFilters().Where(s => s.Id == n.ShipmentId).Select(s => s.OrderId).FirstOrDefaultAsync(ct);
        var reference = orderId is { } id
            ? await db.Orders.AsNoTracking().IgnoreQueryFilters().Where(o => o.Id == id).Select(o => o.Reference).FirstOrDefaultAsync(ct)
            : null;
        var cause = n.CauseEventId is { } eventId
            ? await db.TrackingEvents.AsNoTracking().IgnoreQueryFilters().SingleOrDefaultAsync(e => e.Id == eventId, ct)
            : null;
        return new Facts(leg?.TrackingNumber, leg?.Carrier, orderId, reference, cause);
    }

    /// <summary>
    /// The body, in the shape the Standard Webhooks specification recommends: <c>{type, timestamp, data}</c>
    /// (docs/notifications.md lists the fields of <c>data</c>).
    /// </summary>
    internal static string Body(string type, DateTimeOffset at, Notification n, Facts f)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteString("timestamp", Iso(at));
            json.WriteStartObject("data");
            json.WriteString("shipmentId", n.ShipmentId);
            json.WriteString("trackingNumber", f.TrackingNumber);
            json.WriteString("carrier", f.Carrier);
            if (f.OrderId is { } orderId)
            {
                json.WriteString("orderId", orderId);
                json.WriteString("orderReference", f.OrderReference);
            }
            json.WriteString("notificationId", n.Id);
            json.WriteString("audience", n.Audience);
            json.WriteString("kind", n.Kind);
            if (type.StartsWith("shipment.", StringComparison.Ordinal))
            {
                json.WriteString("milestone", f.Cause?.Milestone is { } m ? TrackingNames.Of(m) : null);
                json.WriteString("eventAt", n.EventAt is { } eventAt ? Iso(eventAt) : null);
                if (f.Cause is { } cause)
                {
                    json.WriteString("eventCode", cause.Code);
                    json.WriteString("description", cause.Description);
                    json.WriteString("exceptionReason", cause.ExceptionReason);
                    json.WriteString("city", cause.City);
                    json.WriteString("country", cause.Country.Value);
                }
            }
            else
            {
                json.WriteString("channel", n.Channel);
                json.WriteString("status", n.Status);
                json.WriteString("recipient", n.Recipient);
                json.WriteString("subject", n.Subject);
                json.WriteNumber("attempts", n.Attempts);
                json.WriteString("sentAt", n.SentAt is { } sentAt ? Iso(sentAt) : null);
                json.WriteString("reason", n.Reason);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
