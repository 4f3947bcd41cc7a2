using System.Net;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class AuthAndIsolationTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private Task<(HttpClient Client, Guid TenantId, string ApiKey)> NewTenantClientAsync() => app.NewTenantClientAsync();

    private HttpClient ClientWithKey(string? key) => app.ClientWithKey(key);

    [Theory]
    [InlineData(null, "auth.missing_key")]
    [InlineData("wb_not-a-real-key", "auth.unknown_key")]
    public async Task A_request_without_a_valid_key_gets_401_problem_details(string? key, string code)
    {
        using var client = ClientWithKey(key);

        var response = await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await response.JsonAsync()).Code());
    }

    [Fact]
    public async Task A_key_sent_with_another_scheme_is_refused()
    {
        var (_, _, key) = await NewTenantClientAsync();
        using var client = ClientWithKey(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic " + key);

        var response = await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_openapi_and_the_reference_page_need_no_key()
    {
        using var client = ClientWithKey(null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/scalar", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Every_verb_on_another_tenants_order_answers_404()
    {
        var (owner, _, _) = await NewTenantClientAsync();
        var (stranger, _, _) = await NewTenantClientAsync();
        var created = await owner.PostJsonAsync("/v1/orders", Build.Order());
        var id = (await created.JsonAsync()).GetProperty("id").GetString();

        foreach (var (method, path) in new[]
        {
            ("GET", $"/v1/orders/{id}"), ("PUT", $"/v1/orders/{id}"), ("PATCH", $"/v1/orders/{id}"),
            ("DELETE", $"/v1/orders/{id}"), ("POST", $"/v1/orders/{id}"), ("POST", $"/v1/orders/{id}/cancel"),
            ("GET", $"/v1/orders/{id}/cancel"), ("DELETE", $"/v1/orders/{id}/cancel"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            var response = await stranger.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Equal("orders.not_found", (await response.JsonAsync()).Code());
        }
        var list = await (await stranger.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        var own = await owner.GetAsync($"/v1/orders/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("created", (await own.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unsupported_verb_on_the_tenants_own_order_answers_405()
    {
        var (owner, _, _) = await NewTenantClientAsync();
        var id = (await (await owner.PostJsonAsync("/v1/orders", Build.Order())).JsonAsync()).GetProperty("id").GetString();

        var response = await owner.DeleteAsync($"/v1/orders/{id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET", response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task An_id_that_is_not_a_uuid_answers_404()
    {
        var (client, _, _) = await NewTenantClientAsync();

        var response = await client.GetAsync("/v1/orders/not-a-uuid", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class AuthAndIsolationTestsOnSqlite(SqliteApp app) : AuthAndIsolationTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class AuthAndIsolationTestsOnPostgres(PostgresApp app) : AuthAndIsolationTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
