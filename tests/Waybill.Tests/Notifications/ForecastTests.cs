using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Notifications;

/// <summary>
/// Expected delivery learned per lane, and the predictive notifications made from it (approaching customs, delayed,
/// stalled): real events through the real writer, the real sweep and sender, a real SMTP exchange.
/// </summary>
public abstract class ForecastTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    // 08:00 in Berlin.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EventInput Event(string number, string code, DateTimeOffset at, string city, string country, string carrier = "s10") =>
        new(number, carrier, code, $"{code} at {city}", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput(city, null, country));

    private static async Task IngestAsync(WaybillDb db, EventWriter writer, params EventInput[] events)
    {
        var result = await new IngestEvents.Handler(db, writer).HandleAsync(new IngestEvents.Request(events), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Empty(result.Value.Rejected);
    }

    /// <summary>
    /// A delivered UPU journey from Shenzhen to Berlin posted at <paramref name="posted"/>: 24 h to leave China, then
    /// <paramref name="lineHaulHours"/> to import customs, then 12 + 12 + 6 + 6 h to delivery.
    /// </summary>
    private static EventInput[] Journey(string number, DateTimeOffset posted, double lineHaulHours)
    {
        var departed = posted.AddHours(24);
        var customs = departed.AddHours(lineHaulHours);
        return
        [
            Event(number, "EMA", posted, "Shenzhen", "CN"),
            Event(number, "EMC", departed, "Shenzhen", "CN"),
            Event(number, "EDB", customs, "Frankfurt", "DE"),
            Event(number, "EDC", customs.AddHours(12), "Frankfurt", "DE"),
            Event(number, "EMG", customs.AddHours(24), "Berlin", "DE"),
            Event(number, "EDG", customs.AddHours(30), "Berlin", "DE"),
            Event(number, "EMI", customs.AddHours(36), "Berlin", "DE"),
        ];
    }

    /// <summary>Registers <paramref name="count"/> orderless shipments and delivers each along <see cref="Journey"/>.</summary>
    private async Task DeliverAsync(WaybillDb db, EventWriter writer, int firstSerial, int count, Func<int, double> lineHaulHours)
    {
        var start = _clock.GetUtcNow().AddDays(-90);
        for (var i = 0; i < count; i++)
        {
            var number = Build.S10(firstSerial + i);
            var registered = await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(null, [new LegInput("s10", number, null)]), Ct);
            Assert.True(registered.IsSuccess, registered.Error?.Message);
            await IngestAsync(db, writer, Journey(number, start.AddHours(i * 0.5), lineHaulHours(i)));
        }
    }

    /// <summary>An order of a German buyer and its shipment on one S10 leg.</summary>
    private async Task<(Guid ShipmentId, string Number)> BuyerShipmentAsync(WaybillDb db, int serial)
    {
        var input = Build.Order($"FC-{serial}") with { Buyer = new BuyerInput("Anna Schmidt", "anna@example.com", null, "de-DE", "Europe/Berlin") };
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct)).Value;
        var number = Build.S10(serial);
        var shipment = (await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(order.Id.ToString(), [new LegInput("s10", number, null)]), Ct)).Value;
        return (shipment.Id, number);
    }

    private NotificationSender Sender(SmtpSink sink) =>
        new(database.Storage, _clock, new SmtpMailTransport(new SmtpSettings("127.0.0.1", sink.Port, null, null)), NotificationTemplates.Default,
            new NotificationSenderOptions { PublicUrl = "https://track.example" }, NullLogger<NotificationSender>.Instance);

    private readonly DeliveryForecasts _forecasts = new(SandboxCatalogue.Default);

    private ForecastSweep Sweep() => new(database.Storage, _clock, _forecasts);

    private static async Task DrainAsync(NotificationSender sender)
    {
        while (await sender.RunOnceAsync(Ct) > 0)
        {
        }
    }

    private static string KindOf(MimeMessage m) => m.Headers["X-Waybill-Notification"]!.Split(';')[0];

    /// <summary>The messages about one parcel: the sender sends what every test of the class left queued in the database.</summary>
    private static List<MimeMessage> About(SmtpSink sink, string number) =>
        [.. sink.Messages.Where(m => (m.TextBody ?? "").Contains(number, StringComparison.Ordinal))];

    private static async Task<List<Notification>> LogAsync(WaybillDb db, Guid shipmentId)
    {
        db.ChangeTracker.Clear();
        return await db.Notifications.AsNoTracking().Where(n => n.ShipmentId == shipmentId).OrderBy(n => n.CreatedAt).ToListAsync(Ct);
    }

    /// <summary>The relative error of an estimate.</summary>
    private static double Error(double estimate, double truth) => Math.Abs(estimate - truth) / truth;

    [Fact]
    public async Task The_expected_delivery_converges_on_the_lane_s_true_transit_times_as_deliveries_accumulate()
    {
        database.RequireAvailable();
        var (db, tenant, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        await using var writer = new EventWriter(database.Storage, _clock);
        // The line haul takes a lognormal time with median 60 h and 90th percentile 120 h; the rest of the journey a
        // fixed 60 h. So posting to delivery takes 120 h at the median and 180 h at the 90th percentile.
        var random = new Random(20261205);
        var sigma = Math.Log(2) / StageTransit.Z90;
        double LineHaul(int _)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return 60 * Math.Exp(sigma * z);
        }
        var (shipmentId, number) = await BuyerShipmentAsync(db, 41000000);
        await IngestAsync(db, writer, Event(number, "EMA", _clock.GetUtcNow().AddHours(-2), "Shenzhen", "CN"));
        var lane = new Lane(Waybill.Common.CountryCode.Parse("CN"), Waybill.Common.CountryCode.Parse("DE"), "s10");
        var get = new GetShipment.Handler(db, _forecasts, _clock);

        // Thin history: the lane's own figures are not used yet (a registered S10 leg has no catalogue service or booking).
        await DeliverAsync(db, writer, 41000001, 10, LineHaul);
        Assert.Equal(10, await _forecasts.LearnAsync(db, Ct));
        var thin = (await get.HandleAsync(shipmentId, Ct)).Value;
        Assert.Equal("none", thin.ForecastSource);
        Assert.Null(thin.ExpectedDelivery);

        var errors = new List<(int Deliveries, double P50, double P90)>();
        var delivered = 10;
        foreach (var upTo in new[] { 40, 320 })
        {
            await DeliverAsync(db, writer, 41000001 + delivered, upTo - delivered, LineHaul);
            delivered = upTo;
            Assert.Equal(upTo, await _forecasts.LearnAsync(db, Ct));
            var q = _forecasts.HistoryOf(tenant, lane)!.Quantiles(Milestone.Posted, Milestone.Delivered)!.Value;
            Assert.Equal(upTo, q.Samples);
            errors.Add((upTo, Error(q.P50, 120), Error(q.P90, 180)));
        }
        // Within three standard errors of the sample quantiles: at 40 deliveries 16% (median) and 29% (90th percentile)
        // of the truth, at 320 deliveries 6% and 11%.
        Assert.True(errors[0].P50 < 0.16 && errors[0].P90 < 0.29, $"40 deliveries: {errors[0]}");
        Assert.True(errors[1].P50 < 0.06 && errors[1].P90 < 0.11, $"320 deliveries: {errors[1]}");

        // The buyer's shipment, posted 2 h ago, is forecast from the lane: delivery 120 h (p50) to 180 h (p90) after posting.
        var view = (await get.HandleAsync(shipmentId, Ct)).Value;
        Assert.Equal("lane", view.ForecastSource);
        var posted = _clock.GetUtcNow().AddHours(-2);
        Assert.True(Error((view.ExpectedDelivery!.Earliest - posted).TotalHours, 120) < 0.06, $"{view.ExpectedDelivery}");
        Assert.True(Error((view.ExpectedDelivery.Latest - posted).TotalHours, 180) < 0.11, $"{view.ExpectedDelivery}");
        Assert.Equal(["at_import_customs", "at_delivery_office", "delivered"], view.ExpectedMilestones!.Select(m => m.Milestone));
        Assert.True(view.ExpectedMilestones![0].Earliest < view.ExpectedMilestones[1].Earliest && view.ExpectedMilestones[1].Earliest < view.ExpectedMilestones[2].Earliest);

        // A shipment without an order: its destination is known once a scan comes from the destination country.
        var orderless = Build.S10(41000999);
        var registered = await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(null, [new LegInput("s10", orderless, null)]), Ct);
        await IngestAsync(db, writer, Event(orderless, "EMA", _clock.GetUtcNow().AddHours(-30), "Shenzhen", "CN"));
        Assert.Equal("none", (await get.HandleAsync(registered.Value.Id, Ct)).Value.ForecastSource);
        await IngestAsync(db, writer, Event(orderless, "EDB", _clock.GetUtcNow().AddHours(-1), "Frankfurt", "DE"));
        var arrived = (await get.HandleAsync(registered.Value.Id, Ct)).Value;
        Assert.Equal("lane", arrived.ForecastSource);
        Assert.Equal(["at_delivery_office", "delivered"], arrived.ExpectedMilestones!.Select(m => m.Milestone));

        // The next event moves the forecast: cleared customs, the delivery office is 12 h away and delivery 24 h.
        await IngestAsync(db, writer, Event(number, "EDC", _clock.GetUtcNow(), "Frankfurt", "DE"));
        var moved = (await get.HandleAsync(shipmentId, Ct)).Value;
        Assert.Equal(["at_delivery_office", "delivered"], moved.ExpectedMilestones!.Select(m => m.Milestone));
        Assert.Equal(24, (moved.ExpectedDelivery!.Earliest - _clock.GetUtcNow()).TotalHours, 0.01);
    }

    [Fact]
    public async Task Approaching_customs_is_announced_before_the_customs_scan_and_a_stalled_parcel_alerts_the_seller()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        var (db, tenant, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        await using var writer = new EventWriter(database.Storage, _clock);
        using var patch = System.Text.Json.JsonDocument.Parse("""{"notifications": {"alertEmail": "ops@shop.example", "noticeWindowHours": 24}}""");
        Assert.True((await new Waybill.Tenancy.PatchSettings.Handler(db, _clock, new Waybill.Tenancy.SchemeRegistrations(_clock)).HandleAsync(patch.RootElement, Ct)).IsSuccess);
        // The lane: 60.0 to 60.4 h from leaving China to import customs.
        await DeliverAsync(db, writer, 42000001, 25, i => 60 + (i % 5 * 0.1));
        var sweep = Sweep();
        var sender = Sender(sink);

        var (shipmentId, number) = await BuyerShipmentAsync(db, 42000000);
        var now = _clock.GetUtcNow();
        await IngestAsync(db, writer, Event(number, "EMA", now.AddHours(-54), "Shenzhen", "CN"), Event(number, "EMC", now.AddHours(-30), "Shenzhen", "CN"));
        await DrainAsync(sender);

        // Customs is 30 h away: outside the 24 h window.
        var first = await sweep.RunForTenantAsync(tenant, Ct);
        Assert.Equal(25, first.Learned);
        Assert.Equal((0, 0), (first.ApproachingCustoms, first.Stalled));
        // 7 h later it is 23 h away: the buyer is told, before any customs scan.
        _clock.Advance(TimeSpan.FromHours(7));
        Assert.Equal(1, (await sweep.RunForTenantAsync(tenant, Ct)).ApproachingCustoms);
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).ApproachingCustoms); // once
        await DrainAsync(sender);
        var approaching = About(sink, number).Single(m => KindOf(m) == "approaching_customs");
        Assert.Contains("Zoll", approaching.Subject, StringComparison.Ordinal);
        Assert.Equal("anna@example.com", approaching.To.Mailboxes.Single().Address);

        // No scan for 61 h since leaving China, past the lane's 95th-percentile gap there (60.4 h): the seller hears of it.
        _clock.Advance(TimeSpan.FromHours(24));
        var stalledSweep = await sweep.RunForTenantAsync(tenant, Ct);
        Assert.Equal(1, stalledSweep.Stalled);
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).Stalled); // once per last scan
        await DrainAsync(sender);
        var stalled = About(sink, number).Single(m => KindOf(m) == "stalled");
        Assert.Equal("ops@shop.example", stalled.To.Mailboxes.Single().Address);
        Assert.Contains("61 hours", stalled.Subject, StringComparison.Ordinal);
        Assert.Contains(number, stalled.TextBody, StringComparison.Ordinal);

        // The customs scan comes: the buyer hears of it, and nothing predictive is repeated.
        await IngestAsync(db, writer, Event(number, "EDB", _clock.GetUtcNow().AddMinutes(-5), "Frankfurt", "DE"));
        await DrainAsync(sender);
        var after = await sweep.RunForTenantAsync(tenant, Ct);
        Assert.Equal((0, 0, 0), (after.ApproachingCustoms, after.Stalled, after.Delayed));
        await DrainAsync(sender);
        Assert.Equal(["shipped", "approaching_customs", "stalled", "at_customs"], About(sink, number).Select(KindOf));

        // Not booked, so no window was promised: the lane's own, the 90th percentile from posting (about 120.4 h, 66.4 h
        // from now), is the promise. Past it without delivery, the buyer hears the parcel is delayed.
        _clock.Advance(TimeSpan.FromHours(35));
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed);
        var log = await LogAsync(db, shipmentId);
        // Two stall alerts: one per last scan (the customs scan, silent for 36 h past the lane's 12 h gap there, too).
        Assert.Equal(["seller", "seller"], log.Where(n => n.Kind == "stalled").Select(n => n.Audience));
        Assert.True(log.Single(n => n.Kind == "approaching_customs").SentAt < log.Single(n => n.Kind == "at_customs").EventAt);
    }

    [Fact]
    public async Task A_booked_parcel_past_its_promised_window_is_announced_delayed_with_a_new_estimate_at_most_once_a_day()
    {
        database.RequireAvailable();
        await using var sink = new SmtpSink();
        var (db, tenant, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        await using var writer = new EventWriter(database.Storage, _clock);
        await new AddWarehouse.Handler(db, _clock).HandleAsync(Build.Warehouse(), Ct);
        var input = Build.Order("DL-1") with { Buyer = new BuyerInput("Anna Schmidt", "anna@example.com", null, "de-DE", "Europe/Berlin") };
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(input, Ct)).Value;
        var booked = await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(ServiceId: "sbx-post-cn-packet-tracked"), Ct);
        Assert.True(booked.IsSuccess, booked.Error?.Message);
        var shipment = booked.Value;
        var leg = shipment.Legs.Single();
        var promised = shipment.ExpectedDelivery!.Latest;
        _clock.Advance(TimeSpan.FromHours(1));
        await IngestAsync(db, writer, Event(leg.TrackingNumber, "EMA", _clock.GetUtcNow(), "Shenzhen", "CN", leg.Carrier));

        // No history on the lane: the catalogue's stage times stand in.
        var view = (await new GetShipment.Handler(db, _forecasts, _clock).HandleAsync(shipment.Id, Ct)).Value;
        Assert.Equal("catalogue", view.ForecastSource);
        Assert.Equal(["at_import_customs", "at_delivery_office", "delivered"], view.ExpectedMilestones!.Select(m => m.Milestone));

        var sweep = Sweep();
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed); // within the promise
        // A day past the promised latest delivery, at 10:00 in Berlin.
        _clock.SetUtcNow(new DateTimeOffset(promised.UtcDateTime.Date.AddDays(1).AddHours(9), TimeSpan.Zero));
        Assert.Equal(1, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed);
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed); // the new estimate has not passed yet
        var sender = Sender(sink);
        await DrainAsync(sender);
        var first = (await LogAsync(db, shipment.Id)).Single(n => n.Kind == "delayed");
        Assert.True(first.EventAt > _clock.GetUtcNow());
        Assert.Equal(NotificationStatus.Sent, first.Status);
        // The notice tells the estimate decided, the window the next notice is measured against.
        var german = CultureInfo.GetCultureInfo("de-DE");
        string Day(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(1)).ToString(german.DateTimeFormat.MonthDayPattern, german); // Berlin in winter
        Assert.Contains($"Neue voraussichtliche Zustellung: {Day(first.EstimateFrom!.Value)}", first.Text, StringComparison.Ordinal);
        Assert.Contains(Day(first.EventAt!.Value), first.Text, StringComparison.Ordinal);

        // The new estimate passes too, the next day: a second notice, with a later estimate; not a third that day.
        _clock.SetUtcNow(new DateTimeOffset(first.EventAt!.Value.UtcDateTime.Date.AddDays(1).AddHours(9), TimeSpan.Zero));
        Assert.Equal(1, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed);
        Assert.Equal(0, (await sweep.RunForTenantAsync(tenant, Ct)).Delayed);
        var delays = (await LogAsync(db, shipment.Id)).Where(n => n.Kind == "delayed").OrderBy(n => n.CreatedAt).ToList();
        Assert.Equal(2, delays.Count);
        Assert.True(delays[1].EventAt > delays[0].EventAt);

        // Delivered before the second notice went out: it is news no more, and skipped.
        await IngestAsync(db, writer, Event(leg.TrackingNumber, "EMI", _clock.GetUtcNow().AddMinutes(-5), "Berlin", "DE", leg.Carrier));
        await DrainAsync(sender);
        var second = (await LogAsync(db, shipment.Id)).Single(n => n.Id == delays[1].Id);
        Assert.Equal(NotificationStatus.Skipped, second.Status);
        Assert.StartsWith("superseded", second.Reason, StringComparison.Ordinal);
        Assert.Equal(["delayed", "delivered"], About(sink, leg.TrackingNumber).Select(KindOf).Where(k => k is "delayed" or "delivered"));
    }
}

public sealed class SqliteForecastTests(SqliteDatabase database) : ForecastTests<SqliteDatabase>(database);

public sealed class PostgresForecastTests(PostgresDatabase database) : ForecastTests<PostgresDatabase>(database);
