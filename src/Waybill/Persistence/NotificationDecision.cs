namespace Waybill.Persistence;

/// <summary>
/// A notification decided in the event writer's transaction, stored by <see cref="EventStore.InsertNotificationsAsync"/>
/// into the <c>notification_outbox</c> (see <see cref="NotificationOutbox"/>), from which the worker moves it into the
/// <c>notifications</c> log (see <see cref="Notifications.Notification"/>).
/// </summary>
internal readonly record struct NotificationDecision(
    Guid TenantId, Guid ShipmentId, string Audience, string Kind, string Channel, long Occurrence, string Status, long? CauseEventId, DateTimeOffset? EventAt, string? Reason)
{
    private const string Columns =
        "id, tenant_id, shipment_id, audience, kind, channel, occurrence, status, cause_event_id, event_at, reason, created_at";

    public const string SqliteInsert = $"INSERT INTO notification_outbox ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

    public const string PostgresInsert =
        $"INSERT INTO notification_outbox ({Columns}) " +
        "SELECT u.id, u.tenant, u.shipment, u.audience, u.kind, u.channel, u.occurrence, u.status, u.cause, u.event_at, u.reason, @now " +
        "FROM unnest(@ids, @tenants, @shipments, @audiences, @kinds, @channels, @occurrences, @statuses, @causes, @ats, @reasons) " +
        "AS u(id, tenant, shipment, audience, kind, channel, occurrence, status, cause, event_at, reason)";
}
