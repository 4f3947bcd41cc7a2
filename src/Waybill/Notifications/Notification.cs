namespace Waybill.Notifications;

/// <summary>
/// One message to one audience about one shipment: the outbox row and the log entry at once. It is decided in the
/// transaction of the event that caused it (<see cref="Tracking.EventWriter"/>), unique by (shipment, kind, channel,
/// occurrence), so replays, duplicates and restarts cannot make a second one; a background worker
/// (<see cref="NotificationSender"/>) leases it, renders it in the recipient's language, holds it through quiet
/// hours, skips it when a later milestone overtook it, and sends it at least once.
/// </summary>
public sealed class Notification
{
    private Notification()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid ShipmentId { get; private set; }

    /// <summary><c>buyer</c> or <c>seller</c>.</summary>
    public string Audience { get; private set; } = "";

    /// <summary>A <see cref="NotificationKinds"/> name.</summary>
    public string Kind { get; private set; } = "";

    /// <summary><c>email</c> or <c>webhook</c>.</summary>
    public string Channel { get; private set; } = "";

    /// <summary>
    /// What makes a repeatable kind's notifications distinct: the event key of a delivery attempt or an exception, the
    /// day of a new delay estimate; 0 for the kinds sent once per shipment.
    /// </summary>
    public long Occurrence { get; private set; }

    /// <summary>queued, held, sent, failed or skipped (<see cref="NotificationStatus"/>).</summary>
    public string Status { get; private set; } = "";

    /// <summary>The tracking event that caused it (null for predictions).</summary>
    public long? CauseEventId { get; private set; }

    /// <summary>When the milestone happened (the event's time, or the prediction's).</summary>
    public DateTimeOffset? EventAt { get; private set; }

    /// <summary>
    /// A <c>delayed</c> notice's new estimate is the window from this instant to <see cref="EventAt"/>, fixed when it is
    /// decided: what the buyer is told is what the next notice is measured against.
    /// </summary>
    public DateTimeOffset? EstimateFrom { get; private set; }

    public string? Locale { get; private set; }

    public string? Recipient { get; private set; }

    public string? Subject { get; private set; }

    public string? Text { get; private set; }

    public string? Html { get; private set; }

    /// <summary>Why it was skipped or failed (last error), for the log.</summary>
    public string? Reason { get; private set; }

    /// <summary>Not before this instant (quiet hours, retry backoff).</summary>
    public DateTimeOffset ScheduledFor { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>The worker holding it until <see cref="LeaseUntil"/>; another worker takes it over after that.</summary>
    public string? LeaseOwner { get; private set; }

    public DateTimeOffset? LeaseUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>A webhook delivery's endpoint (null for email).</summary>
    public Guid? EndpointId { get; private set; }

    /// <summary>When its webhook events were published (<see cref="WebhookFanout"/>): once, when the sender first handled it.</summary>
    public DateTimeOffset? PublishedAt { get; private set; }

    internal static Notification Create(Guid tenantId, Guid shipmentId, string audience, string kind, string channel, long occurrence,
        string status, long? causeEventId, DateTimeOffset? eventAt, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            ShipmentId = shipmentId,
            Audience = audience,
            Kind = kind,
            Channel = channel,
            Occurrence = occurrence,
            Status = status,
            CauseEventId = causeEventId,
            EventAt = eventAt,
            ScheduledFor = now,
            CreatedAt = now,
        };

    /// <summary>
    /// A webhook delivery to one endpoint: the JSON body is <see cref="Text"/>, the event type <see cref="Kind"/> and
    /// <see cref="Subject"/>, the URL <see cref="Recipient"/>. Its id is the <c>webhook-id</c>, the same on every attempt.
    /// </summary>
    internal static Notification CreateWebhook(Notification source, string eventType, WebhookEndpoint endpoint, long occurrence, string body, DateTimeOffset now)
    {
        var delivery = Create(source.TenantId, source.ShipmentId, "seller", eventType, "webhook", occurrence, NotificationStatus.Queued, source.CauseEventId, source.EventAt, now);
        delivery.EndpointId = endpoint.Id;
        delivery.Recipient = endpoint.Url;
        delivery.Subject = eventType;
        delivery.Text = body;
        return delivery;
    }

    internal void MarkPublished(DateTimeOffset at) => PublishedAt = at;

    /// <summary>A webhook delivery goes to its endpoint's current URL (changed since it was published).</summary>
    internal void Readdress(string url) => Recipient = url;

    /// <summary>Fixes a <c>delayed</c> notice's new estimate (see <see cref="EstimateFrom"/>).</summary>
    internal Notification WithEstimate(DateTimeOffset earliest)
    {
        EstimateFrom = earliest;
        return this;
    }

    internal void Render(string locale, string recipient, string subject, string text, string html)
    {
        Locale = locale;
        Recipient = recipient;
        Subject = subject;
        Text = text;
        Html = html;
    }

    internal void Hold(DateTimeOffset until)
    {
        Status = NotificationStatus.Held;
        ScheduledFor = until;
        ReleaseLease();
    }

    internal void Skip(string reason)
    {
        Status = NotificationStatus.Skipped;
        Reason = reason;
        ReleaseLease();
    }

    internal void MarkSent(DateTimeOffset at)
    {
        Status = NotificationStatus.Sent;
        SentAt = at;
        Attempts++;
        Reason = null;
        ReleaseLease();
    }

    /// <summary>The worker is done with it (for now): another pass may lease it again when it is due.</summary>
    private void ReleaseLease()
    {
        LeaseOwner = null;
        LeaseUntil = null;
    }

    /// <summary>A failed attempt: tried again after a backoff, or failed for good after the last attempt.</summary>
    internal void Fail(string reason, DateTimeOffset now, int maxAttempts) => Fail(reason, now, maxAttempts, TimeSpan.FromSeconds(30));

    /// <summary>A failed attempt, the first retry after <paramref name="firstBackoff"/>, doubling up to an hour.</summary>
    internal void Fail(string reason, DateTimeOffset now, int maxAttempts, TimeSpan firstBackoff)
    {
        Attempts++;
        Reason = reason.Length > 500 ? reason[..500] : reason;
        ReleaseLease();
        if (Attempts >= maxAttempts)
        {
            Status = NotificationStatus.Failed;
            return;
        }
        // 30 s (email) or 10 s (webhooks), doubling, up to 1 h between attempts.
        var backoff = TimeSpan.FromSeconds(Math.Min(3600, firstBackoff.TotalSeconds * Math.Pow(2, Attempts - 1)));
        ScheduledFor = now + backoff;
    }
}

public static class NotificationStatus
{
    public const string Queued = "queued";
    public const string Held = "held";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public static readonly IReadOnlyList<string> All = [Queued, Held, Sent, Failed, Skipped];
}
