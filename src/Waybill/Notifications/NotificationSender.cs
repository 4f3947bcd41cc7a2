using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MimeKit;
using NodaTime;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Notifications;

/// <summary>How the sender works: who the mail is from, where the tracking pages are, how long a lease lasts.</summary>
public sealed record NotificationSenderOptions
{
    /// <summary>The public address of the tracking pages (<c>{PublicUrl}/track/{number}</c>).</summary>
    public string PublicUrl { get; init; } = "http://localhost:5000";

    public string FromAddress { get; init; } = "notifications@waybill.localhost";

    public string FromName { get; init; } = "Waybill";

    public int BatchSize { get; init; } = 50;

    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts before a notification is <c>failed</c> (the backoff grows from 30 s to an hour).</summary>
    public int MaxAttempts { get; init; } = 8;
}

/// <summary>
/// The notifications worker's one pass: leases the due notifications, and for each renders the message in the
/// recipient's language and time zone, skips it when a later milestone overtook it, holds a buyer's through quiet
/// hours, and sends it, recording the result after the send. A crash between the send and the record sends it again
/// with the same Message-ID (<c>{id}@waybill</c>): delivery is at least once, never lost.
/// </summary>
public sealed partial class NotificationSender(
    Storage storage, TimeProvider clock, IMailTransport mail, NotificationTemplates templates, NotificationSenderOptions options, ILogger<NotificationSender> logger)
{
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Handles one batch of due notifications; answers how many it handled (0: nothing was due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var db = storage.CreateDb();
        // First the decisions the event writer made since the last pass, into the log (see NotificationOutbox).
        var moved = 0;
        try
        {
            moved = await NotificationOutbox.MoveAsync(db, options.BatchSize * 20, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged, and the decisions stay in the outbox for the next pass; what is already in the log is still sent.
            LogMoveFailed(logger, ex);
            db.ChangeTracker.Clear();
        }
        var now = clock.UtcNow();
        var owner = $"{_worker}:{Guid.NewGuid():N}";
        owner = owner.Length > 64 ? owner[^64..] : owner;
        var leased = await NotificationLeases.LeaseAsync(db, owner, now, now + options.Lease, options.BatchSize, ct);
        if (leased == 0)
        {
            return moved;
        }
        var batch = await db.Notifications.IgnoreQueryFilters().Where(n => n.LeaseOwner == owner).OrderBy(n => n.ScheduledFor).ToListAsync(ct);
        IMailSession? session = null;
        var tenants = new Dictionary<Guid, (Tenant?, NotificationSettings)>();
        var webhooks = new WebhookFanout(db);
        try
        {
            foreach (var notification in batch)
            {
                db.TenantId = notification.TenantId; // from here on the context sees this tenant's rows only
                var message = await PrepareAsync(db, notification, clock.UtcNow(), tenants, ct);
                if (message is not null)
                {
                    try
                    {
                        session ??= await mail.OpenAsync(ct);
                        await session.SendAsync(message, ct);
                        notification.MarkSent(clock.UtcNow());
                        LogSent(logger, notification.Kind, notification.Id, notification.Recipient);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        notification.Fail($"{ex.GetType().Name}: {ex.Message}", clock.UtcNow(), options.MaxAttempts);
                        LogFailed(logger, notification.Kind, notification.Id, notification.Attempts, ex.Message);
                        if (session is not null)
                        {
                            await session.DisposeAsync();
                            session = null;
                        }
                    }
                }
                // The seller's webhook events of this notification, saved with its state (see WebhookFanout).
                await webhooks.PublishAsync(notification, clock.UtcNow(), ct);
                await db.SaveChangesAsync(ct);
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }
        return batch.Count;
    }

    /// <summary>The message to send now, or null when the notification is skipped or held (its state says which).</summary>
    private async Task<MimeMessage?> PrepareAsync(
        WaybillDb db, Notification n, DateTimeOffset now, Dictionary<Guid, (Tenant?, NotificationSettings)> tenants, CancellationToken ct)
    {
        var shipment = await db.Shipments.AsNoTracking().Include(s => s.Legs).SingleOrDefaultAsync(s => s.Id == n.ShipmentId, ct);
        if (!tenants.TryGetValue(n.TenantId, out var seller))
        {
            // Once per tenant in a batch: its notifications usually come together.
            seller = (await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == n.TenantId, ct),
                (await new GetSettings.Handler(db).HandleAsync(ct)).Notifications);
            tenants[n.TenantId] = seller;
        }
        var (tenant, settings) = seller;
        if (shipment is null || tenant is null)
        {
            n.Skip("the shipment no longer exists");
            return null;
        }
        var cause = n.CauseEventId is { } eventId
            ? await db.TrackingEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct)
            : null;
        var leg = shipment.Legs.OrderBy(l => l.Sequence).LastOrDefault();
        if (NotificationKinds.IsPredictive(n.Kind) && shipment.Milestone is Milestone.Delivered or Milestone.ReturnedToSender)
        {
            n.Skip($"superseded: the shipment had already reached {TrackingNames.Of(shipment.Milestone.Value)}");
            return null;
        }
        if (n.Kind == NotificationKinds.Stalled && shipment.LastEventId != n.CauseEventId)
        {
            n.Skip("a new scan came before the alert was sent");
            return null;
        }

        if (n.Audience == "seller")
        {
            if (settings.AlertEmail is null)
            {
                n.Skip("no alert email in the settings (notifications.alertEmail)");
                return null;
            }
            if (n.Subject is null)
            {
                var zone = settings.TimeZone is { } tz && DateTimeZoneProviders.Tzdb.GetZoneOrNull(tz) is { } tenantZone ? tenantZone : DateTimeZone.Utc;
                var values = Values(n, shipment, leg, null, tenant, cause, zone, CultureInfo.InvariantCulture, now);
                var message = templates.Render(NotificationTemplates.FallbackLocale, $"seller_{n.Kind}", values);
                n.Render(message.Locale, settings.AlertEmail, message.Subject, message.Text, message.Html);
            }
            return Compose(n, tenant.Name, tenant.Name, now);
        }

        if (NotificationKinds.IsOvertaken(n.Kind, shipment.Milestone))
        {
            n.Skip($"superseded: the shipment had already reached {TrackingNames.Of(shipment.Milestone!.Value)}");
            return null;
        }
        var order = shipment.OrderId is { } orderId ? await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId, ct) : null;
        if (order is null)
        {
            n.Skip("the shipment has no order: no buyer to tell");
            return null;
        }
        var buyerZone = ZoneOf(order.BuyerTimeZone, order.ShipToCountry, settings.TimeZone);
        if (n.Subject is null)
        {
            var locale = templates.Choose(order.BuyerLocale);
            var culture = CultureOf(order.BuyerLocale, locale);
            var values = Values(n, shipment, leg, order, tenant, cause, buyerZone, culture, now);
            var message = templates.Render(locale, n.Kind, values);
            n.Render(message.Locale, order.BuyerEmail.Value, message.Subject, message.Text, message.Html);
        }
        var local = Instant.FromDateTimeOffset(now).InZone(buyerZone).LocalDateTime;
        if (settings.QuietHours.Contains(local.TimeOfDay.ToTimeOnly()))
        {
            n.Hold(EndOfQuietHours(local, settings.QuietHours, buyerZone));
            return null;
        }
        return Compose(n, order.BuyerName, tenant.Name, now);
    }

    /// <summary>The first instant after <paramref name="local"/> at which the quiet hours end, in the zone.</summary>
    internal static DateTimeOffset EndOfQuietHours(LocalDateTime local, QuietHours quiet, DateTimeZone zone)
    {
        var end = new LocalTime(quiet.EndTime.Hour, quiet.EndTime.Minute);
        var candidate = local.Date.At(end);
        if (candidate <= local)
        {
            candidate = candidate.PlusDays(1);
        }
        return zone.AtLeniently(candidate).ToDateTimeOffset();
    }

    private MimeMessage Compose(Notification n, string recipientName, string sellerName, DateTimeOffset now)
    {
        var message = new MimeMessage
        {
            MessageId = $"{n.Id:N}@waybill",
            Subject = n.Subject ?? "",
            Date = now,
        };
        message.From.Add(new MailboxAddress(string.IsNullOrWhiteSpace(sellerName) ? options.FromName : $"{sellerName} via {options.FromName}", options.FromAddress));
        message.To.Add(new MailboxAddress(recipientName, n.Recipient ?? throw new InvalidOperationException("A rendered notification has a recipient.")));
        message.Headers.Add("X-Waybill-Notification", $"{n.Kind}; {n.Id}");
        message.Body = new BodyBuilder { TextBody = n.Text, HtmlBody = n.Html }.ToMessageBody();
        return message;
    }

    private Dictionary<string, string?> Values(
        Notification n, Shipment shipment, ShipmentLeg? leg, Order? order, Tenant tenant, TrackingEvent? cause, DateTimeZone zone, CultureInfo culture,
        DateTimeOffset now)
    {
        var number = leg?.TrackingNumber ?? "";
        string? Local(DateTimeOffset? at, string format) =>
            at is { } t ? Instant.FromDateTimeOffset(t).InZone(zone).ToDateTimeOffset().ToString(format, culture) : null;
        var monthDay = culture.DateTimeFormat.MonthDayPattern;
        string? Window(DateTimeOffset? earliest, DateTimeOffset? latest) =>
            earliest is null || latest is null ? null
            : Local(earliest, monthDay) is var a && Local(latest, monthDay) is var b && a == b ? a : $"{Local(earliest, monthDay)} – {Local(latest, monthDay)}";
        var place = cause is null ? null
            : string.Join(", ", new[] { cause.City, CountryNames.Of(cause.Country) }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["buyer_name"] = order?.BuyerName ?? tenant.Name,
            ["seller_name"] = tenant.Name,
            ["order_reference"] = order?.Reference,
            ["tracking_number"] = number,
            ["tracking_url"] = $"{options.PublicUrl.TrimEnd('/')}/track/{Uri.EscapeDataString(number)}",
            ["carrier"] = leg?.Carrier,
            ["expected_window"] = Window(shipment.ExpectedEarliest, shipment.ExpectedLatest),
            ["new_expected_window"] = n.Kind == NotificationKinds.Delayed ? Window(n.EstimateFrom, n.EventAt) : null,
            ["event_time"] = Local(n.EventAt, "f"),
            ["event_place"] = place,
            ["destination_country"] = order is null ? null : CountryNames.Of(order.ShipToCountry),
            ["milestone"] = shipment.Milestone is { } m ? TrackingNames.Of(m).Replace('_', ' ') : null,
            ["exception_reason"] = cause is null ? null : string.IsNullOrWhiteSpace(cause.Description) ? cause.ExceptionReason : cause.Description,
            ["pickup_place"] = n.Kind == NotificationKinds.AvailableForPickup ? place : null,
            // Until when: the carrier's hold period, where the carrier states one (the sandbox network's do).
            ["pickup_until"] = n.Kind == NotificationKinds.AvailableForPickup && cause is not null && leg is not null
                ? Local(BuyerFacts.PickupUntil(leg.Carrier, cause.OccurredAt), culture.DateTimeFormat.LongDatePattern) : null,
            ["stalled_for"] = n.Kind == NotificationKinds.Stalled && n.EventAt is { } lastScan ? Span(now - lastScan) : null,
        };
        if (order is not null)
        {
            var duties = BuyerFacts.DutiesOf(order);
            if (duties.PaidBySeller)
            {
                values["duties_paid"] = "true";
            }
            else if (duties.Due)
            {
                values["duties_due"] = $"{duties.Currency} {duties.Amount!.Value.ToString("N2", culture)}";
            }
        }
        return values;
    }

    /// <summary>A stall's length for the seller's alert (English, as the alerts are): hours up to four days, then days.</summary>
    internal static string Span(TimeSpan span) =>
        span.TotalHours < 96 ? $"{Math.Max(1, (int)span.TotalHours)} hours" : $"{(int)span.TotalDays} days";

    /// <summary>The buyer's time zone, else the ship-to country's (its first zone in the tz database), else the tenant's, else UTC.</summary>
    internal static DateTimeZone ZoneOf(string? timeZone, CountryCode country, string? tenantTimeZone = null) =>
        BuyerFacts.BuyerZone(timeZone, country, tenantTimeZone).Zone;

    private static CultureInfo CultureOf(string? tag, string locale)
    {
        foreach (var name in new[] { tag, locale })
        {
            if (!string.IsNullOrWhiteSpace(name))
            {
                try
                {
                    return CultureInfo.GetCultureInfo(name);
                }
                catch (CultureNotFoundException)
                {
                    // the next candidate
                }
            }
        }
        return CultureInfo.InvariantCulture;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Notifications: moving decisions from the outbox into the log failed; they stay in the outbox")]
    private static partial void LogMoveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {Kind} {Id} sent to {Recipient}")]
    private static partial void LogSent(ILogger logger, string kind, Guid id, string? recipient);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Kind} {Id} not sent (attempt {Attempt}): {Error}")]
    private static partial void LogFailed(ILogger logger, string kind, Guid id, int attempt, string error);
}
