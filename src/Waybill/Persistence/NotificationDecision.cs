using Waybill.Notifications;
using Waybill.Tracking;

namespace Waybill.Persistence;

/// <summary>
/// A notification decided in the event writer's transaction, stored by <see cref="EventStore.InsertNotificationsAsync"/>
/// into the <c>notification_outbox</c> (see <see cref="NotificationOutbox"/>), from which the worker moves it into the
/// <c>notifications</c> log (see <see cref="Notifications.Notification"/>).
/// </summary>
internal readonly record struct NotificationDecision(
    Guid TenantId, Guid ShipmentId, string Audience, string Kind, string Channel, long Occurrence, string Status, long? CauseEventId, DateTimeOffset? EventAt, string? Reason)
{
    /// <summary>
    /// A buyer's milestone notification: queued, or skipped when the shipment is already past it (superseded) or the
    /// event is older than <see cref="NotificationKinds.StaleAfter"/> (stale).
    /// </summary>
    public static NotificationDecision Buyer(
        Guid tenantId, Guid shipmentId, string kind, long occurrence, long eventId, DateTimeOffset occurredAt, Milestone? current, DateTimeOffset now)
    {
        var reason = NotificationKinds.IsOvertaken(kind, current)
            ? $"superseded: the shipment had already reached {TrackingNames.Of(current!.Value)}"
            : now - occurredAt > NotificationKinds.StaleAfter
            ? $"stale: the event happened {(now - occurredAt).TotalDays:0} days before it arrived"
            : null;
        return new NotificationDecision(tenantId, shipmentId, "buyer", kind, "email", occurrence,
            reason is null ? NotificationStatus.Queued : NotificationStatus.Skipped, eventId, occurredAt, reason);
    }

    /// <summary>A seller's alert of an exception (once per exception event).</summary>
    public static NotificationDecision SellerException(Guid tenantId, Guid shipmentId, long eventKey, long eventId, DateTimeOffset occurredAt) =>
        new(tenantId, shipmentId, "seller", NotificationKinds.Exception, "email", eventKey, NotificationStatus.Queued, eventId, occurredAt, null);

    /// <summary>
    /// The notifications that events merged into a shipment call for, decided against its merged milestone: what the event
    /// writer decides for new events, for the events waiting for a leg that a registration attaches.
    /// </summary>
    public static List<NotificationDecision> ForMerged(Shipment shipment, IEnumerable<TrackingEvent> events, DateTimeOffset now)
    {
        var decisions = new List<NotificationDecision>();
        var decided = new HashSet<(string, long)>();
        foreach (var e in events)
        {
            if (shipment.OrderId is not null && e.Milestone is { } milestone && NotificationKinds.ForMilestone(milestone) is { } kind)
            {
                var occurrence = NotificationKinds.IsRepeatable(kind) ? e.EventKey : 0;
                if (decided.Add((kind, occurrence)))
                {
                    decisions.Add(Buyer(shipment.TenantId, shipment.Id, kind, occurrence, e.Id, e.OccurredAt, shipment.Milestone, now));
                }
            }
            if (NotificationKinds.IsSellerException(e.Status, e.Milestone, e.ExceptionReason) && decided.Add((NotificationKinds.Exception, e.EventKey)))
            {
                decisions.Add(SellerException(shipment.TenantId, shipment.Id, e.EventKey, e.Id, e.OccurredAt));
            }
        }
        return decisions;
    }

    private const string Columns =
        "id, tenant_id, shipment_id, audience, kind, channel, occurrence, status, cause_event_id, event_at, reason, created_at";

    public const string SqliteInsert = $"INSERT INTO notification_outbox ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

    public const string PostgresInsert =
        $"INSERT INTO notification_outbox ({Columns}) " +
        "SELECT u.id, u.tenant, u.shipment, u.audience, u.kind, u.channel, u.occurrence, u.status, u.cause, u.event_at, u.reason, @now " +
        "FROM unnest(@ids, @tenants, @shipments, @audiences, @kinds, @channels, @occurrences, @statuses, @causes, @ats, @reasons) " +
        "AS u(id, tenant, shipment, audience, kind, channel, occurrence, status, cause, event_at, reason)";
}
