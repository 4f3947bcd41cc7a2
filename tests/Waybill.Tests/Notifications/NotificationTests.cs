using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Notifications;

/// <summary>
/// Buyer and seller notifications end to end: events through the real event writer (which decides, in its transaction),
/// the real sender, a real SMTP exchange with an in-process server.
/// </summary>
public abstract class NotificationTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    // 09:00 in Berlin: daytime for the German buyer of the builders' order.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EventInput Event(string number, string code, DateTimeOffset at, string city, string country) =>
        new(number, "s10", code, $"{code} at {city}", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput(city, null, country));


    private sealed record Parcel(WaybillDb Db, Guid ShipmentId, string Number, EventWriter Writer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Writer.DisposeAsync();
            await Db.DisposeAsync();
        }
    }

    /// <summary>A tenant, an order (German buyer unless said), and a shipment with one S10 leg.</summary>
    private async Task<Parcel> ParcelAsync(int serial, string locale = "de-DE", string timeZone = "Europe/Berlin")
    {
        var (db, _, _) = await database.NewTenantAsync(_clock);
        var input = Build.Order() with { Buyer = new BuyerInput("Anna Schmidt", "anna@example.com", null, locale, timeZone) };
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct)).Value;
        var number = Build.S10(serial);
        var shipment = (await new RegisterShipment.Handler(db, _clock).HandleAsync(
            new RegisterShipment.Request(order.Id.ToString(), [new LegInput("s10", number, null)]), Ct)).Value;
        return new Parcel(db, shipment.Id, number, new EventWriter(database.Storage, _clock));
    }

    private static async Task IngestAsync(Parcel parcel, params EventInput[] events)
    {
        var result = await new IngestEvents.Handler(parcel.Db, parcel.Writer).HandleAsync(new IngestEvents.Request(events), Ct);
        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value.Rejected);
    }

    private NotificationSender Sender(IMailTransport transport) =>
        new(database.Storage, _clock, transport, NotificationTemplates.Default, new NotificationSenderOptions { PublicUrl = "https://track.example" }, NullLogger<NotificationSender>.Instance);

    private static SmtpMailTransport Smtp(SmtpSink sink) => new SmtpMailTransport(new SmtpSettings("127.0.0.1", sink.Port, null, null));

    private static async Task<List<Notification>> LogAsync(Parcel parcel)
    {
        parcel.Db.ChangeTracker.Clear();
        return await parcel.Db.Notifications.AsNoTracking().Where(n => n.ShipmentId == parcel.ShipmentId).OrderBy(n => n.CreatedAt).ToListAsync(Ct);
    }

    private static async Task DrainAsync(NotificationSender sender)
    {
        while (await sender.RunOnceAsync(Ct) > 0)
        {
        }
    }

    private static string KindOf(MimeMessage m) => m.Headers["X-Waybill-Notification"]!.Split(';')[0];

    /// <summary>The messages about one parcel: a sender sends what any test of the class left due in the database.</summary>
    private static List<MimeMessage> About(SmtpSink sink, string number) =>
        [.. sink.Messages.Where(m => (m.TextBody ?? "").Contains(number, StringComparison.Ordinal))];

    [Fact]
    public async Task Each_milestone_of_a_UPU_journey_reaches_the_buyer_once_in_their_language()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000001);
        var sender = Sender(Smtp(sink));
        string[] codes = ["EMA", "EMB", "EMC", "EMD", "EDB", "EDC", "EMG", "EDG", "EMI"];
        var journey = new List<EventInput>();
        foreach (var code in codes)
        {
            var e = Event(parcel.Number, code, _clock.GetUtcNow().AddMinutes(-30), code is "EMA" or "EMB" or "EMC" ? "Shenzhen" : "Berlin", code is "EMA" or "EMB" or "EMC" ? "CN" : "DE");
            journey.Add(e);
            await IngestAsync(parcel, e);
            await DrainAsync(sender);
            _clock.Advance(TimeSpan.FromHours(1));
        }
        // Replays, in any order, add nothing.
        await IngestAsync(parcel, [.. journey]);
        journey.Reverse();
        await IngestAsync(parcel, [.. journey]);
        await DrainAsync(sender);

        var kinds = About(sink, parcel.Number).Select(KindOf).ToList();
        Assert.Equal(["shipped", "at_customs", "customs_cleared", "at_delivery_office", "out_for_delivery", "delivered"], kinds);
        Assert.All(About(sink, parcel.Number), m =>
        {
            Assert.Contains("Sendung verfolgen", m.TextBody, StringComparison.Ordinal); // German, the buyer's language
            Assert.Equal("anna@example.com", m.To.Mailboxes.Single().Address);
            Assert.Contains($"https://track.example/track/{parcel.Number}", m.TextBody, StringComparison.Ordinal);
            Assert.Contains("<a href=", m.HtmlBody, StringComparison.Ordinal);
        });
        Assert.Equal(About(sink, parcel.Number).Count, About(sink, parcel.Number).Select(m => m.MessageId).Distinct().Count());
        var log = await LogAsync(parcel);
        Assert.Equal(6, log.Count(n => n.Status == NotificationStatus.Sent));
        Assert.All(log.Where(n => n.Status == NotificationStatus.Sent), n => Assert.Equal("de", n.Locale));
    }

    [Fact]
    public void The_buyer_language_falls_back_to_English_and_picks_the_primary_language()
    {
        var templates = NotificationTemplates.Default;
        Assert.Equal("pt", templates.Choose("pt-BR"));
        Assert.Equal("zh", templates.Choose("zh-Hans-CN"));
        Assert.Equal("en", templates.Choose("nl-NL"));
        Assert.Equal("en", templates.Choose(null));
        Assert.Equal(["de", "en", "es", "fr", "it", "pt", "zh"], templates.Locales.Order(StringComparer.Ordinal));
        var values = new Dictionary<string, string?> { ["buyer_name"] = "Ana <b>", ["seller_name"] = "Acme", ["tracking_number"] = "RB1", ["tracking_url"] = "https://t/x", ["carrier"] = "s10", ["destination_country"] = "Spain" };
        foreach (var locale in templates.Locales)
        {
            foreach (var kind in NotificationKinds.Buyer)
            {
                var message = templates.Render(locale, kind, values);
                Assert.False(string.IsNullOrWhiteSpace(message.Subject), $"{locale}/{kind}");
                Assert.DoesNotContain("{{", message.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("<b>", message.Html, StringComparison.Ordinal); // what a buyer typed is escaped
            }
        }
    }

    [Fact]
    public async Task Events_arriving_in_reverse_tell_only_the_latest_milestone_and_log_the_rest_as_skipped()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000002);
        var at = _clock.GetUtcNow().AddHours(-5);
        await IngestAsync(parcel, Event(parcel.Number, "EMG", at.AddHours(4), "Berlin", "DE"));
        await IngestAsync(parcel, Event(parcel.Number, "EDB", at.AddHours(2), "Frankfurt", "DE"), Event(parcel.Number, "EMA", at, "Shenzhen", "CN"));
        await DrainAsync(Sender(Smtp(sink)));

        Assert.Equal(["at_delivery_office"], About(sink, parcel.Number).Select(KindOf));
        var log = await LogAsync(parcel);
        Assert.Equal(NotificationStatus.Skipped, log.Single(n => n.Kind == "at_customs").Status);
        Assert.Equal(NotificationStatus.Skipped, log.Single(n => n.Kind == "shipped").Status);
        Assert.StartsWith("superseded", log.Single(n => n.Kind == "shipped").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quiet_hours_hold_a_message_until_eight_in_the_morning_and_then_send_it()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000003);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 21, 30, 0, TimeSpan.Zero)); // 22:30 in Berlin
        await IngestAsync(parcel, Event(parcel.Number, "EMG", _clock.GetUtcNow().AddMinutes(-10), "Berlin", "DE"));
        var sender = Sender(Smtp(sink));
        await DrainAsync(sender);

        var held = (await LogAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Held, held.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero), held.ScheduledFor); // 08:00 in Berlin
        Assert.Empty(About(sink, parcel.Number));

        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 6, 59, 0, TimeSpan.Zero));
        await DrainAsync(sender);
        Assert.Empty(About(sink, parcel.Number));

        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
        await DrainAsync(sender);
        Assert.Equal(["at_delivery_office"], About(sink, parcel.Number).Select(KindOf));
        Assert.Equal(NotificationStatus.Sent, (await LogAsync(parcel)).Single().Status);
    }

    [Fact]
    public async Task A_message_overtaken_while_held_for_quiet_hours_is_skipped()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000004);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 22, 0, 0, TimeSpan.Zero));
        await IngestAsync(parcel, Event(parcel.Number, "EMG", _clock.GetUtcNow().AddMinutes(-10), "Berlin", "DE"));
        var sender = Sender(Smtp(sink));
        await DrainAsync(sender);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 6, 30, 0, TimeSpan.Zero));
        await IngestAsync(parcel, Event(parcel.Number, "EMI", _clock.GetUtcNow().AddMinutes(-5), "Berlin", "DE"));
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
        await DrainAsync(sender);

        Assert.Equal(["delivered"], About(sink, parcel.Number).Select(KindOf));
        var log = await LogAsync(parcel);
        Assert.Equal(NotificationStatus.Skipped, log.Single(n => n.Kind == "at_delivery_office").Status);
    }

    [Fact]
    public async Task A_crash_between_the_decision_and_the_send_loses_nothing()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000005);
        await IngestAsync(parcel, Event(parcel.Number, "EMA", _clock.GetUtcNow().AddMinutes(-10), "Shenzhen", "CN"));
        // The process stops after the commit, before any send: the decision is in the database, in the outbox.
        await parcel.Writer.DisposeAsync();
        parcel.Db.ChangeTracker.Clear();
        var decided = await parcel.Db.NotificationOutbox.AsNoTracking().Where(o => o.ShipmentId == parcel.ShipmentId).ToListAsync(Ct);
        Assert.Equal((NotificationStatus.Queued, "shipped"), (decided.Single().Status, decided.Single().Kind));
        Assert.Empty(await LogAsync(parcel));

        // A worker that moved it into the log and died holding a lease: nobody else takes the row until the lease expires.
        await using (var db = database.Storage.CreateDb())
        {
            Assert.True(await NotificationOutbox.MoveAsync(db, 1000, Ct) >= 1);
            Assert.Equal(NotificationStatus.Queued, (await LogAsync(parcel)).Single().Status);
            Assert.Empty(await parcel.Db.NotificationOutbox.AsNoTracking().Where(o => o.ShipmentId == parcel.ShipmentId).ToListAsync(Ct));
            Assert.Equal(1, await NotificationLeases.LeaseAsync(db, "dead-worker", _clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(2), 50, Ct));
        }
        var restarted = Sender(Smtp(sink));
        await DrainAsync(restarted);
        Assert.Empty(About(sink, parcel.Number));
        _clock.Advance(TimeSpan.FromMinutes(3));
        await DrainAsync(restarted);
        Assert.Equal(["shipped"], About(sink, parcel.Number).Select(KindOf));
    }

    [Fact]
    public async Task An_SMTP_outage_delays_the_message_and_a_repeat_keeps_its_Message_ID()
    {
        database.RequireAvailable();
        await using var parcel = await ParcelAsync(31000006);
        await IngestAsync(parcel, Event(parcel.Number, "EMA", _clock.GetUtcNow().AddMinutes(-10), "Shenzhen", "CN"));
        var port = SmtpSink.FreePort(); // nothing listens there
        await DrainAsync(Sender(new SmtpMailTransport(new SmtpSettings("127.0.0.1", port, null, null))));
        var failed = (await LogAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Queued, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.Reason);
        Assert.True(failed.ScheduledFor > _clock.GetUtcNow());

        await using var sink = new SmtpSink();
        // Handed over, then the record is lost (the transport fails after the server took the message): sent again.
        var flaky = new FailAfterSend(Smtp(sink));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await DrainAsync(Sender(flaky));
        _clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync(Sender(Smtp(sink)));

        Assert.Equal(2, About(sink, parcel.Number).Count);
        Assert.Single(About(sink, parcel.Number).Select(m => m.MessageId).Distinct());
        Assert.Equal($"{failed.Id:N}@waybill", About(sink, parcel.Number).First().MessageId);
        var sent = (await LogAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(3, sent.Attempts);
    }

    [Fact]
    public async Task Events_that_came_before_their_leg_was_registered_are_notified_at_registration()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        var (db, _, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        await using var writer = new EventWriter(database.Storage, _clock);
        var number = Build.S10(31000011);
        var now = _clock.GetUtcNow();
        var ingested = await new IngestEvents.Handler(db, writer).HandleAsync(
            new IngestEvents.Request([Event(number, "EMA", now.AddHours(-3), "Shenzhen", "CN"), Event(number, "EMC", now.AddHours(-1), "Shenzhen", "CN")]), Ct);
        Assert.Equal(2, ingested.Value.Accepted); // stored, waiting for a leg: no shipment, no notification yet
        await DrainAsync(Sender(Smtp(sink)));
        // (The sender sends what any test of the class left due: only this parcel's messages count.)
        List<MimeMessage> Mine() => About(sink, number);
        Assert.Empty(Mine());

        var input = Build.Order("LATE-1") with { Buyer = new BuyerInput("Anna Schmidt", "anna@example.com", null, "de-DE", "Europe/Berlin") };
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct)).Value;
        var shipment = (await new RegisterShipment.Handler(db, _clock).HandleAsync(
            new RegisterShipment.Request(order.Id.ToString(), [new LegInput("s10", number, null)]), Ct)).Value;
        Assert.Equal("departed_origin_country", shipment.Milestone);
        await DrainAsync(Sender(Smtp(sink)));

        Assert.Equal(["shipped"], Mine().Select(KindOf));
        db.ChangeTracker.Clear();
        var log = await db.Notifications.AsNoTracking().Where(n => n.ShipmentId == shipment.Id).ToListAsync(Ct);
        Assert.Equal(NotificationStatus.Sent, log.Single().Status);
    }

    [Fact]
    public async Task A_parcel_at_a_pickup_point_tells_the_buyer_where_and_until_when_from_the_carrier_s_hold_period()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        var (db, _, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        await using var writer = new EventWriter(database.Storage, _clock);
        var input = Build.Order("PICKUP-1") with { Buyer = new BuyerInput("Anna Schmidt", "anna@example.com", null, "de-DE", "Europe/Berlin") };
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct)).Value;
        var number = Waybill.Shipping.Sandbox.SandboxNumbers.Default.FormatFor("sbx-post-de-packet-tracked", 4242);
        var registered = await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(order.Id.ToString(), [new LegInput("sbx-post-de", number, null)]), Ct);
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        var at = _clock.GetUtcNow().AddHours(-1);
        var ingested = await new IngestEvents.Handler(db, writer).HandleAsync(new IngestEvents.Request(
            [new EventInput(number, "sbx-post-de", "EDH", "Item at collection point", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput("Berlin", "10115", "DE"))]), Ct);
        Assert.Empty(ingested.Value.Rejected);
        await DrainAsync(Sender(Smtp(sink)));

        var message = About(sink, number).Single(m => KindOf(m) == "available_for_pickup");
        var german = CultureInfo.GetCultureInfo("de-DE");
        var until = at.AddDays(14).ToOffset(TimeSpan.FromHours(1)).ToString(german.DateTimeFormat.LongDatePattern, german); // the post holds 14 days; Berlin in winter
        Assert.Contains(until, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Berlin", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notification_settings_are_checked_field_by_field_and_the_tenant_s_time_zone_dates_the_seller_s_alerts()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000012);
        var patchSettings = new Waybill.Tenancy.PatchSettings.Handler(parcel.Db, _clock, new Waybill.Tenancy.SchemeRegistrations(_clock));
        using (var bad = System.Text.Json.JsonDocument.Parse(
            """{"notifications": {"quietHours": {"start": "25:00"}, "noticeWindowHours": 0, "alertEmail": "not-an-address", "timeZone": "Mars/Olympus", "colour": "red"}}"""))
        {
            var refused = await patchSettings.HandleAsync(bad.RootElement, Ct);
            Assert.False(refused.IsSuccess);
            Assert.Equal(
                ["notifications.alertEmail", "notifications.colour", "notifications.noticeWindowHours", "notifications.quietHours.start", "notifications.timeZone"],
                refused.Error!.Errors!.Keys.Order(StringComparer.Ordinal));
        }
        using (var good = System.Text.Json.JsonDocument.Parse("""{"notifications": {"alertEmail": "ops@shop.example", "timeZone": "America/New_York"}}"""))
        {
            var accepted = await patchSettings.HandleAsync(good.RootElement, Ct);
            Assert.True(accepted.IsSuccess, accepted.Error?.Message);
            Assert.Equal("America/New_York", accepted.Value.Notifications.TimeZone);
        }
        var at = _clock.GetUtcNow().AddMinutes(-10);
        await IngestAsync(parcel, Event(parcel.Number, "EME", at, "Frankfurt", "DE"));
        await DrainAsync(Sender(Smtp(sink)));

        var alert = About(sink, parcel.Number).Single(m => KindOf(m) == "exception");
        var newYork = at.ToOffset(TimeSpan.FromHours(-5)).ToString("f", CultureInfo.InvariantCulture); // New York in winter
        Assert.Contains($"Time: {newYork}", alert.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customs_hold_alerts_the_seller_at_the_alert_email()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000007);
        using var patch = System.Text.Json.JsonDocument.Parse("""{"notifications": {"alertEmail": "ops@shop.example"}}""");
        Assert.True((await new Waybill.Tenancy.PatchSettings.Handler(parcel.Db, _clock, new Waybill.Tenancy.SchemeRegistrations(_clock)).HandleAsync(patch.RootElement, Ct)).IsSuccess);
        await IngestAsync(parcel, Event(parcel.Number, "EME", _clock.GetUtcNow().AddMinutes(-10), "Frankfurt", "DE"));
        await DrainAsync(Sender(Smtp(sink)));

        var alert = About(sink, parcel.Number).Single(m => KindOf(m) == "exception");
        Assert.Equal("ops@shop.example", alert.To.Mailboxes.Single().Address);
        Assert.Contains(parcel.Number, alert.Subject, StringComparison.Ordinal);
        Assert.Contains("customs_held", About(sink, parcel.Number).Select(KindOf)); // the buyer hears of it too
        Assert.Equal("seller", (await LogAsync(parcel)).Single(n => n.Kind == "exception").Audience);
    }

    [Fact]
    public async Task Old_events_arriving_late_are_logged_as_stale_not_sent()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        await using var parcel = await ParcelAsync(31000008);
        await IngestAsync(parcel, Event(parcel.Number, "EMA", _clock.GetUtcNow().AddDays(-5), "Shenzhen", "CN"));
        await DrainAsync(Sender(Smtp(sink)));
        Assert.Empty(About(sink, parcel.Number));
        var log = (await LogAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Skipped, log.Status);
        Assert.StartsWith("stale", log.Reason, StringComparison.Ordinal);
    }

    /// <summary>Hands each message to the server, then fails as if the process died before recording it.</summary>
    private sealed class FailAfterSend(IMailTransport inner) : IMailTransport
    {
        public string Description => inner.Description;

        public async Task<IMailSession> OpenAsync(CancellationToken ct) => new Session(await inner.OpenAsync(ct));

        private sealed class Session(IMailSession inner) : IMailSession
        {
            public async Task SendAsync(MimeMessage message, CancellationToken ct)
            {
                await inner.SendAsync(message, ct);
                throw new IOException("connection lost after the message was handed over");
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}

public sealed class SqliteNotificationTests(SqliteDatabase database) : NotificationTests<SqliteDatabase>(database);

public sealed class PostgresNotificationTests(PostgresDatabase database) : NotificationTests<PostgresDatabase>(database);
