namespace Waybill.Notifications;

/// <summary>
/// The event types a seller's webhook endpoint subscribes to (Standard Webhooks' <c>type</c>: dotted, lower case), and
/// which notification each comes from: the webhook deliveries are published from the notifications outbox
/// (<see cref="WebhookFanout"/>), so a webhook tells what an email tells, once.
/// </summary>
public static class WebhookEvents
{
    /// <summary>A milestone the buyer is told of (the notification kind and the milestone are in <c>data</c>).</summary>
    public const string ShipmentMilestone = "shipment.milestone";

    /// <summary>An exception on the shipment: a customs hold, a failed attempt, a return, loss or damage.</summary>
    public const string ShipmentException = "shipment.exception";

    /// <summary>No scan for longer than the lane's usual gap at that stage.</summary>
    public const string ShipmentStalled = "shipment.stalled";

    /// <summary>The expected delivery slipped.</summary>
    public const string ShipmentDelayed = "shipment.delayed";

    /// <summary>An email notification was handed to the mail server.</summary>
    public const string NotificationSent = "notification.sent";

    /// <summary>An email notification failed for good, after its last attempt.</summary>
    public const string NotificationFailed = "notification.failed";

    /// <summary>Subscribes an endpoint to every event type, including those added later.</summary>
    public const string All = "*";

    public static readonly IReadOnlyList<string> Types =
        [ShipmentMilestone, ShipmentException, ShipmentStalled, ShipmentDelayed, NotificationSent, NotificationFailed];

    /// <summary>The event a notification of this audience and kind announces (null for none).</summary>
    public static string? ForNotification(string audience, string kind) => (audience, kind) switch
    {
        ("seller", NotificationKinds.Exception) => ShipmentException,
        ("seller", NotificationKinds.Stalled) => ShipmentStalled,
        ("buyer", NotificationKinds.Delayed) => ShipmentDelayed,
        ("buyer", _) when NotificationKinds.Buyer.Contains(kind) => ShipmentMilestone,
        _ => null,
    };
}
