using System.Net;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class TrackingApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static object Event(string number, string code, string at, string country = "DE", string carrier = "s10") =>
        new { trackingNumber = number, carrier, code, description = $"{code} scan", occurredAt = at, location = new { city = "Berlin", country } };

    [Fact]
    public async Task A_shipment_is_registered_and_tracked_through_the_api()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var order = await (await client.PostJsonAsync("/v1/orders", Build.Order())).JsonAsync();

        var created = await client.PostJsonAsync("/v1/shipments", new { orderId = order.GetProperty("id").GetString(), legs = new[] { new { carrier = "s10", trackingNumber = "rb 123456785 cn", role = "first_mile" } } });
        var shipment = await created.JsonAsync();
        var id = shipment.GetProperty("id").GetString();
        var ingest = await (await client.PostJsonAsync("/v1/tracking/events", new
        {
            events = new[]
            {
                Event("RB123456785CN", "EMA", "2026-11-20T08:00:00+08:00", "CN"),
                Event("RB123456785CN", "EMD", "2026-11-22T09:30:00+01:00"),
                Event("RB123456785CN", "EMD", "2026-11-22T09:30:00+01:00"),
                Event("", "EMD", "2026-11-22T09:30:00+01:00"),
            },
        })).JsonAsync();
        var after = await (await client.GetAsync($"/v1/shipments/{id}", TestContext.Current.CancellationToken)).JsonAsync();
        var events = await (await client.GetAsync($"/v1/shipments/{id}/events", TestContext.Current.CancellationToken)).JsonAsync();
        var byNumber = await (await client.GetAsync("/v1/shipments?trackingNumber=RB123456785CN", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("RB123456785CN", shipment.GetProperty("legs")[0].GetProperty("trackingNumber").GetString());
        Assert.Equal("first_mile", shipment.GetProperty("legs")[0].GetProperty("role").GetString());
        Assert.Equal("pending", shipment.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, shipment.GetProperty("expectedDelivery").ValueKind);
        Assert.Equal(2, ingest.GetProperty("accepted").GetInt32());
        Assert.Equal(1, ingest.GetProperty("duplicates").GetInt32());
        Assert.Equal("tracking.number_missing", ingest.GetProperty("rejected")[0].GetProperty("code").GetString());
        Assert.Equal(3, ingest.GetProperty("rejected")[0].GetProperty("index").GetInt32());
        Assert.Equal("arrived_destination_country", after.GetProperty("milestone").GetString());
        Assert.Equal("EMD", after.GetProperty("lastEvent").GetProperty("code").GetString());
        Assert.Equal(2, events.GetArrayLength());
        Assert.Equal("2026-11-20T08:00:00+08:00", events[0].GetProperty("occurredAt").GetString());
        Assert.Equal(1, byNumber.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_ingest_retried_with_its_idempotency_key_gets_the_first_answer_again()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var body = new { events = new[] { Event("RB987654312CN", "EMA", "2026-11-20T08:00:00+08:00", "CN") } };

        var first = await client.PostJsonAsync("/v1/tracking/events", body, "ingest-1");
        var again = await client.PostJsonAsync("/v1/tracking/events", body, "ingest-1");
        var fresh = await client.PostJsonAsync("/v1/tracking/events", body, "ingest-2");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, (await again.JsonAsync()).GetProperty("accepted").GetInt32());
        Assert.Equal(1, (await fresh.JsonAsync()).GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task Another_tenants_shipment_answers_404_for_every_verb()
    {
        var (owner, _, _) = await app.NewTenantClientAsync();
        var (stranger, _, _) = await app.NewTenantClientAsync();
        var id = (await (await owner.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = "EE876543216CA" } } })).JsonAsync()).GetProperty("id").GetString();

        foreach (var (method, path) in new[] { ("GET", $"/v1/shipments/{id}"), ("GET", $"/v1/shipments/{id}/events"), ("POST", $"/v1/shipments/{id}/legs"), ("DELETE", $"/v1/shipments/{id}"), ("PUT", $"/v1/shipments/{id}/legs") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("""{"carrier":"dhl","trackingNumber":"1234567890"}""", System.Text.Encoding.UTF8, "application/json") };
            var response = await stranger.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task A_legs_carrier_is_detected_from_its_number_and_refused_when_unknown_or_ambiguous()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var detected = await (await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { trackingNumber = "1Z5R89390357567127" } } })).JsonAsync();
        var unknown = await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { trackingNumber = "NOT-A-NUMBER-1" } } });
        var ambiguous = await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { trackingNumber = "287809468872" } } });
        var alias = await (await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "FedEx", trackingNumber = "287809468872" } } })).JsonAsync();
        var unknownCarrier = await client.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "Owl Post", trackingNumber = "X1" } } });

        Assert.Equal("ups", detected.GetProperty("legs")[0].GetProperty("carrier").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("tracking.carrier_unknown", (await unknown.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ambiguous.StatusCode);
        var problem = await ambiguous.JsonAsync();
        Assert.Equal("tracking.carrier_ambiguous", problem.Code());
        Assert.Equal(["fedex", "purolator"], problem.GetProperty("errors").GetProperty("candidates").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("fedex", alias.GetProperty("legs")[0].GetProperty("carrier").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknownCarrier.StatusCode);
    }

    [Fact]
    public async Task A_shipment_without_legs_or_with_a_bad_role_is_refused_naming_the_fields()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var none = await (await client.PostJsonAsync("/v1/shipments", new { legs = Array.Empty<object>() })).JsonAsync();
        var badRole = await client.PostJsonAsync("/v1/shipments", new { orderId = "nope", legs = new[] { new { carrier = "s10", trackingNumber = "EE876543216CA", role = "sideways" } } });

        Assert.True(none.GetProperty("errors").TryGetProperty("legs", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        var fields = (await badRole.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["legs[0].role", "orderId"], fields);
    }
}

public sealed class TrackingApiTestsOnSqlite(SqliteApp app) : TrackingApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class TrackingApiTestsOnPostgres(PostgresApp app) : TrackingApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
