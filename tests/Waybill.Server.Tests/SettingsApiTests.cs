using System.Net;
using System.Text;
using System.Text.Json;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class SettingsApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string json, string type = "application/merge-patch+json") =>
        await client.PatchAsync("/v1/settings", new StringContent(json, Encoding.UTF8, type), TestContext.Current.CancellationToken);

    private static string Schemes(JsonElement settings) =>
        string.Join(" ", settings.GetProperty("schemes").EnumerateObject().Select(s =>
            $"{s.Name}:{(s.Value.GetProperty("registered").GetBoolean() ? "yes" : "no")}{(s.Value.GetProperty("number").ValueKind == JsonValueKind.String ? "=" + s.Value.GetProperty("number").GetString() : "")}"));

    [Fact]
    public async Task A_new_tenant_is_registered_for_ioss_uk_au_nz_and_voec_and_no_other_scheme()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.GetAsync("/v1/settings", TestContext.Current.CancellationToken);
        var settings = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("AU_GST:yes CA_GST:no CH_VAT:no IOSS:yes NO_VOEC:yes NZ_GST:yes SG_GST:no UK_POS:yes", Schemes(settings));
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("updatedAt").ValueKind);
    }

    [Fact]
    public async Task A_merge_patch_changes_what_it_names_keeps_the_rest_and_null_returns_to_the_default()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var first = await PatchAsync(client, """{"schemes": {"IOSS": {"number": "im2760000001"}, "CH_VAT": {"registered": true, "number": "CHE-123.456.789 MWST"}}}""");
        var second = await PatchAsync(client, """{"schemes": {"UK_POS": {"registered": false}, "CH_VAT": null}}""", "application/json");
        var read = await (await client.GetAsync("/v1/settings", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("AU_GST:yes CA_GST:no CH_VAT:yes=CHE-123.456.789 MWST IOSS:yes=IM2760000001 NO_VOEC:yes NZ_GST:yes SG_GST:no UK_POS:yes", Schemes(await first.JsonAsync()));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("AU_GST:yes CA_GST:no CH_VAT:no IOSS:yes=IM2760000001 NO_VOEC:yes NZ_GST:yes SG_GST:no UK_POS:no", Schemes(read));
        Assert.Equal(JsonValueKind.String, read.GetProperty("updatedAt").ValueKind);
    }

    [Fact]
    public async Task Every_wrong_field_is_named_and_nothing_changes()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await PatchAsync(client, """{"schemes": {"IOSS": {"number": "IM123", "registered": "yes"}, "XX_VAT": {"registered": true}, "NO_VOEC": {"colour": 1}}, "theme": "dark"}""");
        var problem = await response.JsonAsync();
        var read = await (await client.GetAsync("/v1/settings", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("settings.invalid", problem.Code());
        Assert.Equal(
            ["schemes.IOSS.number", "schemes.IOSS.registered", "schemes.NO_VOEC.colour", "schemes.XX_VAT", "theme"],
            problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("IM2760000001", problem.GetProperty("errors").GetProperty("schemes.IOSS.number")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("AU_GST:yes CA_GST:no CH_VAT:no IOSS:yes NO_VOEC:yes NZ_GST:yes SG_GST:no UK_POS:yes", Schemes(read));
    }

    [Theory]
    [InlineData("not json", "application/json", HttpStatusCode.BadRequest, "settings.invalid_json")]
    [InlineData("[1, 2]", "application/json", HttpStatusCode.BadRequest, "settings.invalid")]
    [InlineData("{}", "text/plain", HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type")]
    public async Task A_body_that_is_not_a_json_object_is_refused(string body, string type, HttpStatusCode status, string code)
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await PatchAsync(client, body, type);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.JsonAsync()).Code());
    }

    [Fact]
    public async Task Settings_belong_to_their_tenant()
    {
        var (alice, _, _) = await app.NewTenantClientAsync();
        var (bob, _, _) = await app.NewTenantClientAsync();

        await PatchAsync(alice, """{"schemes": {"SG_GST": {"registered": true, "number": "M90312345A"}}}""");
        var bobs = await (await bob.GetAsync("/v1/settings", TestContext.Current.CancellationToken)).JsonAsync();

        Assert.Contains("SG_GST:no", Schemes(bobs), StringComparison.Ordinal);
    }
}

public sealed class SettingsApiTestsOnSqlite(SqliteApp app) : SettingsApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class SettingsApiTestsOnPostgres(PostgresApp app) : SettingsApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
