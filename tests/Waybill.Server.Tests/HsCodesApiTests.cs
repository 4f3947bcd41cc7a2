using System.Net;
using Waybill.Server.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The HS classification endpoints need no database beyond the tenant's key: SQLite only.</summary>
public sealed class HsCodesApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string[] FullPath = ["61", "6109", "6109.10"];

    [Theory]
    [InlineData("cotton t-shirt", "6109.10")]
    [InlineData("smartphone", "8517.13")]
    [InlineData("ceramic mugs", "6912.00")]
    public async Task A_search_answers_subheadings_ranked_with_chapter_heading_and_score(string q, string first)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync($"/v1/hs-codes?q={Uri.EscapeDataString(q)}", TestContext.Current.CancellationToken);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 10);
        Assert.All(items, i => Assert.Equal(["code", "description", "chapter", "heading", "score"], i.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(first, items[0].GetProperty("code").GetString());
        Assert.Equal(first[..2], items[0].GetProperty("chapter").GetString());
        Assert.Equal(first[..4], items[0].GetProperty("heading").GetString());
        Assert.Equal(items.Select(i => i.GetProperty("score").GetDouble()).OrderDescending(), items.Select(i => i.GetProperty("score").GetDouble()));
    }

    [Fact]
    public async Task A_search_without_words_or_with_a_bad_limit_is_a_400_naming_the_parameter()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var ct = TestContext.Current.CancellationToken;

        var missing = await client.GetAsync("/v1/hs-codes", ct);
        var blank = await client.GetAsync("/v1/hs-codes?q=%20", ct);
        var limit = await client.GetAsync("/v1/hs-codes?q=mug&limit=500", ct);
        var none = await (await client.GetAsync("/v1/hs-codes?q=qwertyuiop", ct)).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("customs.query_missing", (await missing.JsonAsync()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Equal("customs.limit_invalid", (await limit.JsonAsync()).GetProperty("code").GetString());
        Assert.Empty(none.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("6109.10", "subheading", "6109.10", false)]
    [InlineData("610910", "subheading", "6109.10", false)]
    [InlineData("6109", "heading", "6109", false)]
    [InlineData("61", "chapter", "61", false)]
    [InlineData("6109.10.0010", "national", "6109.10.0010", true)]
    [InlineData("61091000", "national", "6109.10.00", true)]
    public async Task A_code_is_checked_and_shows_its_path(string code, string level, string shown, bool national)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync($"/v1/hs-codes/{code}", TestContext.Current.CancellationToken);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(shown, body.GetProperty("code").GetString());
        Assert.Equal(level, body.GetProperty("level").GetString());
        Assert.Equal(national, body.GetProperty("national").GetBoolean());
        Assert.Equal("XI", body.GetProperty("section").GetString());
        Assert.Equal("Textiles and textile articles", body.GetProperty("sectionName").GetString());
        var path = body.GetProperty("path").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.Equal(FullPath.Take(path.Count), path);
    }

    [Theory]
    [InlineData("8517.19", HttpStatusCode.NotFound, "customs.hs_code_unknown")]
    [InlineData("99", HttpStatusCode.NotFound, "customs.hs_code_unknown")]
    [InlineData("8517.19.0000", HttpStatusCode.NotFound, "customs.hs_code_unknown")]
    [InlineData("85A7", HttpStatusCode.BadRequest, "customs.hs_code_invalid")]
    [InlineData("851", HttpStatusCode.BadRequest, "customs.hs_code_invalid")]
    [InlineData("85171300000", HttpStatusCode.BadRequest, "customs.hs_code_invalid")]
    public async Task An_unknown_or_malformed_code_is_refused_saying_why(string code, HttpStatusCode status, string problem)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync($"/v1/hs-codes/{code}", TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(problem, (await response.JsonAsync()).GetProperty("code").GetString());
    }
}
