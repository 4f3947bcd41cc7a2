using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class WebhookEndpointsApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static readonly string[] All = ["*"];
    private static readonly string[] ExceptionsAndMilestones = ["shipment.exception", "shipment.milestone"];
    private static readonly string[] AllAndDelayed = ["*", "shipment.delayed"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_endpoint_is_created_with_a_secret_shown_once_listed_without_it_rotated_and_deleted()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var created = await client.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://93.184.215.14/hooks", events = ExceptionsAndMilestones });
        var endpoint = await created.JsonAsync();
        var id = endpoint.GetProperty("id").GetString();
        var secret = endpoint.GetProperty("secret").GetString()!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/v1/webhook-endpoints/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("https://93.184.215.14/hooks", endpoint.GetProperty("url").GetString());
        Assert.Equal(["shipment.exception", "shipment.milestone"], endpoint.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var listed = await (await client.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync();
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
        Assert.Equal(id, listed.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.False(listed.GetProperty("items")[0].TryGetProperty("secret", out _));
        var one = await (await client.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).JsonAsync();
        Assert.False(one.TryGetProperty("secret", out _));

        var rotated = await client.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null, Ct);
        var newSecret = (await rotated.JsonAsync()).GetProperty("secret").GetString();
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(secret, newSecret);

        var deleted = await client.DeleteAsync($"/v1/webhook-endpoints/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(0, (await (await client.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_endpoint_changes_its_url_and_events_checked_as_on_creation_and_keeps_its_secret()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var created = await (await client.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://93.184.215.14/old", events = All })).JsonAsync();
        var id = created.GetProperty("id").GetString();

        var changed = await client.PatchAsync($"/v1/webhook-endpoints/{id}", JsonContent("""{"url": "https://93.184.215.14/new", "events": ["shipment.delayed"]}"""), Ct);
        var onlyEvents = await client.PatchAsync($"/v1/webhook-endpoints/{id}", JsonContent("""{"events": ["shipment.stalled", "shipment.exception"]}"""), Ct);
        var toPrivate = await client.PatchAsync($"/v1/webhook-endpoints/{id}", JsonContent("""{"url": "http://192.168.0.1/hooks"}"""), Ct);
        var unknown = await client.PatchAsync($"/v1/webhook-endpoints/{id}", JsonContent("""{"events": ["parcel.lost"]}"""), Ct);
        var read = await (await client.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("https://93.184.215.14/new", (await changed.JsonAsync()).GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, onlyEvents.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, toPrivate.StatusCode);
        Assert.Equal("webhooks.private_address", (await toPrivate.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("webhooks.unknown_event", (await unknown.JsonAsync()).Code());
        Assert.Equal("https://93.184.215.14/new", read.GetProperty("url").GetString());
        Assert.Equal(["shipment.stalled", "shipment.exception"], read.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(read.TryGetProperty("secret", out _));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_star_subscribes_to_everything_and_stands_alone()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var created = await client.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://93.184.215.14/all", events = AllAndDelayed });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["*"], (await created.JsonAsync()).GetProperty("events").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hooks")]
    [InlineData("http://localhost/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://172.20.0.5/hooks")]
    [InlineData("https://192.168.1.10/hooks")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hooks")]
    [InlineData("http://[::1]/hooks")]
    [InlineData("http://[fd00::1]/hooks")]
    [InlineData("http://0.0.0.0/hooks")]
    [InlineData("http://[::ffff:10.0.0.1]/hooks")]
    [InlineData("http://[64:ff9b::a00:1]/hooks")]
    public async Task A_url_on_a_private_address_is_refused_unless_the_operator_allows_it(string url)
    {
        var (client, _, key) = await app.NewTenantClientAsync();

        var refused = await client.PostJsonAsync("/v1/webhook-endpoints", new { url, events = All });
        var problem = await refused.JsonAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("webhooks.private_address", problem.Code());
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));

        await using var permissive = app.Factory.WithWebHostBuilder(b => b.UseSetting("allow-private-webhooks", "true"));
        using var allowed = permissive.CreateClient();
        allowed.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var accepted = await allowed.PostJsonAsync("/v1/webhook-endpoints", new { url, events = All });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Theory]
    [InlineData("""{"events": ["shipment.milestone"]}""", "webhooks.invalid_url", "url")]
    [InlineData("""{"url": "ftp://93.184.215.14/hooks", "events": ["*"]}""", "webhooks.invalid_url", "url")]
    [InlineData("""{"url": "hooks.example.com/x", "events": ["*"]}""", "webhooks.invalid_url", "url")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": ["shipment.milestone", "shipment.lost"]}""", "webhooks.unknown_event", "events[1]")]
    [InlineData("""{"url": "https://93.184.215.14/hooks", "events": []}""", "webhooks.invalid_events", "events")]
    [InlineData("""{"url": "https://93.184.215.14/hooks"}""", "webhooks.invalid_events", "events")]
    [InlineData("""{"url": "mailto:ops@shop.example", "events": ["nope"]}""", "webhooks.invalid", "events[0]")]
    public async Task Bad_input_is_a_problem_naming_the_field(string body, string code, string field)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostRawAsync("/v1/webhook-endpoints", body);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, problem.Code());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, (await (await client.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Endpoints_belong_to_their_tenant()
    {
        var (alice, _, _) = await app.NewTenantClientAsync();
        var (bob, _, _) = await app.NewTenantClientAsync();
        var created = await (await alice.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://93.184.215.14/alice", events = All })).JsonAsync();
        var id = created.GetProperty("id").GetString();

        Assert.Equal(0, (await (await bob.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_notifications_log_filters_by_channel_and_endpoint_and_names_a_bad_filter()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var webhooks = await client.GetAsync("/v1/notifications?channel=webhook&kind=shipment.milestone", Ct);
        var bad = await client.GetAsync("/v1/notifications?channel=sms&endpointId=nope", Ct);
        var problem = await bad.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, webhooks.StatusCode);
        Assert.Equal(0, (await webhooks.JsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("notifications.invalid_query", problem.Code());
        Assert.Equal(["channel", "endpointId"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}

public sealed class WebhookEndpointsApiTestsOnSqlite(SqliteApp app) : WebhookEndpointsApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class WebhookEndpointsApiTestsOnPostgres(PostgresApp app) : WebhookEndpointsApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
