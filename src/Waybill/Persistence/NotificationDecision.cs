namespace Waybill.Persistence;

/// <summary>
/// A notification decided in the event writer's transaction, stored by <see cref="EventStore.InsertNotificationsAsync"/>
/// into the <c>notifications</c> outbox (see <see cref="Notifications.Notification"/>).
/// </summary>
internal readonly record struct NotificationDecision(
    Guid ShipmentId, string Audience, string Kind, string Channel, long Occurrence, string Status, long? CauseEventId, DateTimeOffset? EventAt, string? Reason)
{
    private const string Columns =
        "id, tenant_id, shipment_id, audience, kind, channel, occurrence, status, cause_event_id, event_at, reason, scheduled_for, attempts, created_at";

    // A buyer's notification needs a buyer: the shipment's order. The unique index drops a decision made before.
    public const string SqliteInsert =
        $"INSERT INTO notifications ({Columns}) SELECT ?1, s.tenant_id, s.id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?10 " +
        "FROM shipments AS s WHERE s.id = ?11 AND (?2 <> 'buyer' OR s.order_id IS NOT NULL) " +
        "ON CONFLICT (shipment_id, kind, channel, occurrence) DO NOTHING";

    public const string PostgresInsert =
        $"INSERT INTO notifications ({Columns}) " +
        "SELECT u.id, s.tenant_id, s.id, u.audience, u.kind, u.channel, u.occurrence, u.status, u.cause, u.event_at, u.reason, @now, 0, @now " +
        "FROM unnest(@ids, @shipments, @audiences, @kinds, @channels, @occurrences, @statuses, @causes, @ats, @reasons) " +
        "AS u(id, shipment, audience, kind, channel, occurrence, status, cause, event_at, reason) " +
        "JOIN shipments AS s ON s.id = u.shipment WHERE u.audience <> 'buyer' OR s.order_id IS NOT NULL " +
        "ON CONFLICT (shipment_id, kind, channel, occurrence) DO NOTHING";
}
