using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// Seller webhooks end to end: events through the real event writer, the real email sender (which publishes the webhook
/// events from the outbox), the real webhook sender, and a real HTTP receiver (Kestrel on loopback) that verifies every
/// signature with the Standard Webhooks package.
/// </summary>
public abstract class WebhookDeliveryTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    // Years away from real time, at 10:00 in Berlin (no quiet hours): webhook-timestamp must still be real time.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 6, 3, 8, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Parcel(WaybillDb Db, Guid ShipmentId, string Number, EventWriter Writer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Writer.DisposeAsync();
            await Db.DisposeAsync();
        }
    }

    private async Task<Parcel> ParcelAsync(int serial)
    {
        var (db, _, _) = await database.NewTenantAsync(_clock);
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order(), Ct)).Value;
        var number = Build.S10(serial);
        var shipment = (await new RegisterShipment.Handler(db, _clock).HandleAsync(
            new RegisterShipment.Request(order.Id.ToString(), [new LegInput("s10", number, null)]), Ct)).Value;
        return new Parcel(db, shipment.Id, number, new EventWriter(database.Storage, _clock));
    }

    private async Task IngestAsync(Parcel parcel, params string[] codes)
    {
        var events = codes.Select(code => new EventInput(parcel.Number, "s10", code, $"{code} at Frankfurt",
            _clock.GetUtcNow().AddMinutes(-10).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput("Frankfurt", null, "DE"))).ToArray();
        var result = await new IngestEvents.Handler(parcel.Db, parcel.Writer).HandleAsync(new IngestEvents.Request(events), Ct);
        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value.Rejected);
    }

    private async Task<WebhookEndpointSecretView> EndpointAsync(Parcel parcel, string url, params string[] events)
    {
        var result = await new CreateWebhookEndpoint.Handler(parcel.Db, _clock, new WebhookUrlPolicy(AllowPrivate: true))
            .HandleAsync(new CreateWebhookEndpoint.Request(url, events), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private NotificationSender Mail() => new(
        database.Storage, _clock, new PickupDirectoryTransport(Path.Combine(database.Storage.DataDirectory, "mail")), NotificationTemplates.Default,
        new NotificationSenderOptions(), NullLogger<NotificationSender>.Instance);

    private WebhookSender Webhooks(bool allowPrivate = true) => new(
        database.Storage, _clock, new WallClock(TimeProvider.System), new WebhookUrlPolicy(allowPrivate), new WebhookSenderOptions { Timeout = TimeSpan.FromSeconds(5) },
        NullLogger<WebhookSender>.Instance);

    /// <summary>The email worker's passes (which publish the webhook events), then the webhook worker's.</summary>
    private async Task DrainAsync(WebhookSender webhooks)
    {
        var mail = Mail();
        while (await mail.RunOnceAsync(Ct) > 0)
        {
        }
        while (await webhooks.RunOnceAsync(Ct) > 0)
        {
        }
    }

    private static async Task<List<Notification>> DeliveriesAsync(Parcel parcel)
    {
        parcel.Db.ChangeTracker.Clear();
        return await parcel.Db.Notifications.AsNoTracking().Where(n => n.ShipmentId == parcel.ShipmentId && n.Channel == "webhook").OrderBy(n => n.CreatedAt).ToListAsync(Ct);
    }

    private static void AssertSigned(Receiver.Request request, string secret)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in request.Headers)
        {
            headers[name] = value;
        }
        new StandardWebhook(secret).Verify(request.Body, headers); // throws when the signature does not verify
    }

    [Fact]
    public void The_signature_reproduces_the_specification_test_vector()
    {
        // Standard Webhooks' published vector (the reference libraries' tests).
        var signature = WebhookSignature.Sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330), """{"test": 2432232314}""");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
        Assert.NotEqual(signature, WebhookSignature.Sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265331), """{"test": 2432232314}"""));
    }

    [Fact]
    public async Task A_milestone_and_a_customs_exception_reach_a_real_receiver_signed_and_on_real_time()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000001);
        var endpoint = await EndpointAsync(parcel, receiver.Url("/hooks"), "*");
        using var webhooks = Webhooks();

        await IngestAsync(parcel, "EMA");
        await DrainAsync(webhooks);
        await IngestAsync(parcel, "EME"); // held by import customs: the buyer's customs_held, the seller's exception
        await DrainAsync(webhooks);

        var types = receiver.Requests.Select(r => r.Type).ToList();
        Assert.Contains("shipment.milestone", types);
        Assert.Contains("shipment.exception", types);
        Assert.Contains("notification.sent", types); // the buyer's emails
        Assert.All(receiver.Requests, r =>
        {
            AssertSigned(r, endpoint.Secret);
            Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
            var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.Headers["webhook-timestamp"], CultureInfo.InvariantCulture));
            Assert.InRange(sentAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal(parcel.ShipmentId.ToString(), r.Json.GetProperty("data").GetProperty("shipmentId").GetString());
            Assert.Equal(parcel.Number, r.Json.GetProperty("data").GetProperty("trackingNumber").GetString());
        });
        var milestone = receiver.Requests.Single(r => r.Type == "shipment.milestone" && r.Json.GetProperty("data").GetProperty("kind").GetString() == "shipped");
        Assert.Equal("posted", milestone.Json.GetProperty("data").GetProperty("milestone").GetString());
        var exception = receiver.Requests.Single(r => r.Type == "shipment.exception");
        Assert.Equal("customs_held", exception.Json.GetProperty("data").GetProperty("milestone").GetString());
        Assert.Equal("seller", exception.Json.GetProperty("data").GetProperty("audience").GetString());
        // A wrong secret does not verify: the check above is real.
        Assert.Throws<WebhookVerificationException>(() => AssertSigned(exception, "whsec_" + Convert.ToBase64String(new byte[32])));

        var log = await DeliveriesAsync(parcel);
        Assert.Equal(receiver.Requests.Count, log.Count);
        Assert.All(log, d =>
        {
            Assert.Equal(NotificationStatus.Sent, d.Status);
            Assert.Equal(endpoint.Id, d.EndpointId);
            Assert.Equal("seller", d.Audience);
            Assert.Equal(endpoint.Url, d.Recipient);
        });
        Assert.Equal(log.Select(d => WebhookSignature.MessageId(d.Id)).Order(StringComparer.Ordinal), receiver.Requests.Select(r => r.Headers["webhook-id"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_after_a_backoff_with_the_same_webhook_id_and_the_current_secret()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync(attempt => attempt == 1 ? 500 : 204);
        await using var parcel = await ParcelAsync(41000002);
        var endpoint = await EndpointAsync(parcel, receiver.Url("/hooks"), "shipment.milestone");
        using var webhooks = Webhooks();

        await IngestAsync(parcel, "EMA");
        await DrainAsync(webhooks);

        var failed = (await DeliveriesAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Queued, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal("HTTP 500 Internal Server Error", failed.Reason);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(10), failed.ScheduledFor);

        // Not before the backoff; then with the secret rotated meanwhile.
        _clock.Advance(TimeSpan.FromSeconds(9));
        await DrainAsync(webhooks);
        Assert.Single(receiver.Requests);
        var rotated = (await new RotateWebhookSecret.Handler(parcel.Db).HandleAsync(endpoint.Id, Ct)).Value;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await DrainAsync(webhooks);

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(receiver.Requests[0].Headers["webhook-id"], receiver.Requests[1].Headers["webhook-id"]);
        Assert.Equal(WebhookSignature.MessageId(failed.Id), receiver.Requests[1].Headers["webhook-id"]);
        Assert.Equal(receiver.Requests[0].Body, receiver.Requests[1].Body);
        AssertSigned(receiver.Requests[0], endpoint.Secret);
        AssertSigned(receiver.Requests[1], rotated.Secret);
        Assert.Throws<WebhookVerificationException>(() => AssertSigned(receiver.Requests[1], endpoint.Secret));
        var sent = (await DeliveriesAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(2, sent.Attempts);
    }

    [Fact]
    public async Task An_endpoint_gets_only_the_events_it_subscribed_to_and_a_star_gets_them_all()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000003);
        await EndpointAsync(parcel, receiver.Url("/exceptions"), "shipment.exception");
        await EndpointAsync(parcel, receiver.Url("/all"), "*");
        using var webhooks = Webhooks();

        await IngestAsync(parcel, "EMA");
        await DrainAsync(webhooks);
        await IngestAsync(parcel, "EME");
        await DrainAsync(webhooks);

        Assert.Equal(["shipment.exception"], receiver.Requests.Where(r => r.Path == "/exceptions").Select(r => r.Type));
        Assert.Equal(
            ["notification.sent", "shipment.exception", "shipment.milestone"],
            receiver.Requests.Where(r => r.Path == "/all").Select(r => r.Type).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_fan_out_is_exactly_once_across_replays_and_a_second_pass_over_the_same_notification()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000004);
        await EndpointAsync(parcel, receiver.Url("/hooks"), "shipment.milestone");
        using var webhooks = Webhooks();

        await IngestAsync(parcel, "EMA");
        await DrainAsync(webhooks);
        await IngestAsync(parcel, "EMA"); // a replay decides nothing
        await DrainAsync(webhooks);
        // The sender handles the same notification again from scratch (as after a lost record): nothing new is published.
        await parcel.Db.Database.ExecuteSqlRawAsync(
            "UPDATE notifications SET status = 'queued', published_at = NULL WHERE shipment_id = {0} AND channel = 'email'", [parcel.ShipmentId], Ct);
        await DrainAsync(webhooks);

        Assert.Single(await DeliveriesAsync(parcel));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_private_address_is_refused_when_connecting_unless_allowed()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000005);
        await EndpointAsync(parcel, receiver.Url("/hooks"), "*"); // registered while allowed; the delivery checks again

        await IngestAsync(parcel, "EMA");
        using var strict = Webhooks(allowPrivate: false);
        await DrainAsync(strict);

        Assert.Empty(receiver.Requests);
        var refused = await DeliveriesAsync(parcel);
        Assert.NotEmpty(refused);
        Assert.All(refused, d =>
        {
            Assert.Equal(NotificationStatus.Queued, d.Status);
            Assert.StartsWith("refused: 127.0.0.1 is 127.0.0.1, a loopback address", d.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Queued_deliveries_to_a_deleted_endpoint_are_skipped()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000006);
        var endpoint = await EndpointAsync(parcel, receiver.Url("/hooks"), "shipment.milestone");
        await IngestAsync(parcel, "EMA");
        var mail = Mail();
        while (await mail.RunOnceAsync(Ct) > 0)
        {
        }
        Assert.True((await new DeleteWebhookEndpoint.Handler(parcel.Db, _clock).HandleAsync(endpoint.Id, Ct)).IsSuccess);

        using var webhooks = Webhooks();
        await DrainAsync(webhooks);

        Assert.Empty(receiver.Requests);
        var skipped = (await DeliveriesAsync(parcel)).Single();
        Assert.Equal(NotificationStatus.Skipped, skipped.Status);
        Assert.Equal("the webhook endpoint was deleted", skipped.Reason);
    }

    [Fact]
    public async Task A_queued_delivery_goes_to_the_url_the_endpoint_has_now()
    {
        database.RequireAvailable();
        await using var receiver = await Receiver.StartAsync();
        await using var parcel = await ParcelAsync(41000007);
        var endpoint = await EndpointAsync(parcel, receiver.Url("/old"), "shipment.milestone");
        await IngestAsync(parcel, "EMA");
        var mail = Mail();
        while (await mail.RunOnceAsync(Ct) > 0)
        {
        }
        var changed = await new UpdateWebhookEndpoint.Handler(parcel.Db, new WebhookUrlPolicy(AllowPrivate: true))
            .HandleAsync(endpoint.Id, new UpdateWebhookEndpoint.Request(receiver.Url("/new"), null), Ct);
        Assert.True(changed.IsSuccess);

        using var webhooks = Webhooks();
        await DrainAsync(webhooks);

        Assert.Equal(["/new"], receiver.Requests.Select(r => r.Path));
        AssertSigned(receiver.Requests.Single(), endpoint.Secret); // the secret stays
        Assert.Equal(receiver.Url("/new"), (await DeliveriesAsync(parcel)).Single().Recipient);
    }

    /// <summary>A real HTTP server on loopback that records what it receives and answers a status per attempt.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<Request> _requests = new();
        private int _attempts;

        private Receiver(WebApplication app) => _app = app;

        public sealed record Request(string Path, Dictionary<string, string> Headers, string? ContentType, string Body)
        {
            public JsonElement Json => JsonDocument.Parse(Body).RootElement;

            public string? Type => Json.GetProperty("type").GetString();
        }

        public List<Request> Requests => [.. _requests];

        public string Url(string path) => _app.Urls.First().TrimEnd('/') + path;

        public static async Task<Receiver> StartAsync(Func<int, int>? status = null)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
                receiver._requests.Enqueue(new Request(context.Request.Path.Value!, headers, context.Request.ContentType, body));
                return Results.StatusCode(status?.Invoke(Interlocked.Increment(ref receiver._attempts)) ?? 200);
            });
            await app.StartAsync(CancellationToken.None);
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}

public sealed class SqliteWebhookDeliveryTests(SqliteDatabase database) : WebhookDeliveryTests<SqliteDatabase>(database);

public sealed class PostgresWebhookDeliveryTests(PostgresDatabase database) : WebhookDeliveryTests<PostgresDatabase>(database);
