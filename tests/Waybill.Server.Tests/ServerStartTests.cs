using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Waybill.Server.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public sealed class ServerStartTests
{
    private static WebApplicationFactory<Program> Start(string dataDirectory) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("data-dir", dataDirectory));

    [Fact]
    public async Task The_embedded_default_creates_a_demo_tenant_and_reuses_its_key_on_later_starts()
    {
        var directory = Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"), "not-yet-created");
        var keyFile = Path.Combine(directory, "demo-api-key.txt");
        string firstKey;
        await using (var first = Start(directory))
        {
            using var client = first.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
            firstKey = (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", firstKey);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).StatusCode);
        }
        await using (var second = Start(directory))
        {
            using var client = second.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", firstKey);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(firstKey, (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim());
        }
        Assert.True(File.Exists(Path.Combine(directory, "waybill.db")));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_with_wire_types()
    {
        var directory = Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));
        await using var app = Start(directory);
        using var client = app.CreateClient();

        var document = await (await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).JsonAsync();

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/health", "/v1/orders", "/v1/orders/{id}", "/v1/orders/{id}/cancel", "/v1/orders/import" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }
        var order = document.GetProperty("components").GetProperty("schemas").GetProperty("OrderView").GetProperty("properties");
        Assert.Equal("string", order.GetProperty("id").GetProperty("type").GetString());
        Assert.Equal("uuid", order.GetProperty("id").GetProperty("format").GetString());
        Assert.Contains("number", order.GetProperty("goodsTotal").GetProperty("type").ToString(), StringComparison.Ordinal);
        Assert.Equal("date-time", order.GetProperty("createdAt").GetProperty("format").GetString());
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("apiKey", out _));

        // The quote's body is documented by hand (no Accepts(): see LandedCostEndpoints): its JSON schema names the fields.
        var quoteBody = paths.GetProperty("/v1/landed-cost/quotes").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").ToString();
        foreach (var field in new[] { "from", "to", "incoterm", "currency", "lines" })
        {
            Assert.Contains($"\"{field}\"", quoteBody, StringComparison.Ordinal);
        }
    }
}
