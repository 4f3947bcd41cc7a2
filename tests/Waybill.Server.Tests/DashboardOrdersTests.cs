using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Waybill.Server.Tests.Browser;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// The dashboard's orders, booking, webhooks and settings pages over HTTP, on both databases: every form refused without
/// its antiforgery token (nothing changed), the upload's limits and refusals said on the page, the template that imports
/// as it is, and the core handlers the pages added to: orders by reference, an order's booking quote, the settings' version
/// check, a webhook endpoint enabled or removed only by its tenant.
/// </summary>
public abstract partial class DashboardOrdersTests<TApp, TDatabase>(TApp app)
    where TApp : WaybillApp<TDatabase>
    where TDatabase : TestDatabase, new()
{
    private static readonly string[] AllEvents = ["*"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_rejected_with_400_and_changes_nothing()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        await api.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var order = (await (await api.PostJsonAsync("/v1/orders", Build.Order("FORGED-1"))).JsonAsync()).GetProperty("id").GetString();
        var endpoint = (await (await api.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://203.0.113.10/hooks", events = AllEvents })).JsonAsync());
        var browser = await SignedInAsync(key);

        var upload = await browser.PostAsync("/dashboard/orders?handler=Import", Multipart(Csv("FORGED-2"), "orders.csv", token: null), Ct);
        var create = await browser.PostAsync("/dashboard/webhooks?handler=Create", Form(null, ("url", "https://203.0.113.11/hooks"), ("events", "*")), Ct);
        var rotate = await browser.PostAsync($"/dashboard/webhooks/{endpoint.GetProperty("id").GetString()}?handler=Rotate", Form(null), Ct);
        var settings = await browser.PostAsync("/dashboard/settings", Form(null, ("version", "0"), ("noticeWindowHours", "48")), Ct);
        var book = await browser.PostAsync($"/dashboard/orders/{order}?handler=Book", Form(null, ("route", "sbx-post-cn-packet-tracked")), Ct);

        Assert.All([upload, create, rotate, settings, book], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(1, (await (await api.GetAsync("/v1/orders", Ct)).JsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(1, (await (await api.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(0, (await (await api.GetAsync("/v1/settings", Ct)).JsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal("created", (await (await api.GetAsync($"/v1/orders/{order}", Ct)).JsonAsync()).GetProperty("status").GetString());

        // The same upload with the page's token goes through: the token was what was missing.
        var token = await TokenAsync(browser, "/dashboard/orders");
        var accepted = await browser.PostAsync("/dashboard/orders?handler=Import", Multipart(Csv("FORGED-2"), "orders.csv", token), Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(2, (await (await api.GetAsync("/v1/orders", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_refused_on_the_page_and_imports_nothing()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var browser = await SignedInAsync(key);
        var token = await TokenAsync(browser, "/dashboard/orders");

        var response = await browser.PostAsync("/dashboard/orders?handler=Import", Multipart(OverLimit(), "big.csv", token), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/orders?upload=too_large", response.Headers.Location!.OriginalString);
        var page = await browser.GetAsync(response.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(Ct));
        Assert.Contains("id=\"upload-error\"", html, StringComparison.Ordinal);
        Assert.Contains("larger than 10 MB: nothing was imported", html, StringComparison.Ordinal);
        Assert.Contains("at most 10 MB", html, StringComparison.Ordinal);
        Assert.Equal(0, (await (await api.GetAsync("/v1/orders", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData(null, "Choose a CSV file to import.")]
    [InlineData("empty.csv", "The file empty.csv is empty: nothing was imported.")]
    [InlineData("orders.xlsx", "The file orders.xlsx is not a CSV file (.csv): nothing was imported.")]
    public async Task A_missing_empty_or_non_csv_file_is_named_on_the_page(string? name, string expected)
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var browser = await SignedInAsync(key);
        var token = await TokenAsync(browser, "/dashboard/orders");
        HttpContent content = name is null
            ? Form(token)
            : Multipart(name.EndsWith(".csv", StringComparison.Ordinal) ? [] : Encoding.UTF8.GetBytes(Csv("XLSX-1")), name, token, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        var response = await browser.PostAsync("/dashboard/orders?handler=Import", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(0, (await (await api.GetAsync("/v1/orders", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_template_csv_has_the_importers_columns_and_imports_as_it_is()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var browser = await SignedInAsync(key);

        var template = await browser.GetAsync("/dashboard/orders/template.csv", Ct);
        var csv = await template.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        Assert.Equal("text/csv", template.Content.Headers.ContentType?.MediaType);
        Assert.Equal([.. Waybill.Orders.ImportOrders.RequiredColumns, .. Waybill.Orders.ImportOrders.OptionalColumns], csv.Split("\r\n")[0].Split(','));
        var first = await api.PostRawAsync("/v1/orders/import", csv, "text/csv");
        var again = await api.PostRawAsync("/v1/orders/import", csv, "text/csv");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, (await first.JsonAsync()).GetProperty("created").GetInt32());
        Assert.Equal(1, (await again.JsonAsync()).GetProperty("skipped").GetInt32());
    }

    [Fact]
    public async Task Orders_are_found_by_a_part_of_their_reference_whatever_its_case()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        foreach (var reference in new[] { "SHOP-abc-1", "shop-ABC-2", "SHOP-xyz-3" })
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/v1/orders", Build.Order(reference))).StatusCode);
        }
        var (other, _, _) = await app.NewTenantClientAsync();
        await other.PostJsonAsync("/v1/orders", Build.Order("SHOP-abc-9"));

        var found = await (await api.GetAsync("/v1/orders?reference=Abc", Ct)).JsonAsync();
        var tooLong = await api.GetAsync($"/v1/orders?reference={new string('x', 101)}", Ct);
        var page = await (await SignedInAsync(key)).GetAsync("/dashboard/orders?q=ABC&status=created", Ct);

        Assert.Equal(["SHOP-abc-1", "shop-ABC-2"], found.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("reference").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("reference", (await tooLong.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains(">SHOP-abc-1</a>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-ABC-2</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SHOP-xyz-3", html, StringComparison.Ordinal);
        Assert.DoesNotContain("SHOP-abc-9", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_orders_quote_lists_the_routes_its_booking_chooses_from()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        await api.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var order = (await (await api.PostJsonAsync("/v1/orders", Build.Order("QUOTE-1"))).JsonAsync()).GetProperty("id").GetGuid();

        var quote = await (await api.PostJsonAsync("/v1/rates", new { orderId = order })).JsonAsync();
        var mixed = await api.PostJsonAsync("/v1/rates", new { orderId = order, shipTo = new { country = "DE" } });
        var unknown = await api.PostJsonAsync("/v1/rates", new { orderId = Guid.NewGuid() });
        var routes = quote.GetProperty("routes").EnumerateArray().ToList();
        var chosen = routes[^1];
        var booked = await api.PostJsonAsync($"/v1/orders/{order}/shipments", new BookingInput(ServiceId: chosen.GetProperty("id").GetString()));
        var shipment = await booked.JsonAsync();

        Assert.Equal("CN", quote.GetProperty("from").GetString());
        Assert.Equal("DE", quote.GetProperty("to").GetString());
        Assert.True(routes.Count >= 2, quote.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        Assert.Equal("rates.invalid", (await mixed.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        Assert.Equal(chosen.GetProperty("total").GetProperty("amount").GetDecimal(), shipment.GetProperty("price").GetProperty("amount").GetDecimal());
        Assert.Equal(chosen.GetProperty("legs").EnumerateArray().Select(l => l.GetProperty("service").GetString()),
            shipment.GetProperty("legs").EnumerateArray().Select(l => l.GetProperty("service").GetString()));

        // The order's page lists the shipment and offers no booking any more.
        var html = await (await (await SignedInAsync(key)).GetAsync($"/dashboard/orders/{order}", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains($"href=\"/dashboard/shipments/{shipment.GetProperty("id").GetString()}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Book", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_settings_form_read_before_another_change_is_refused_as_stale_and_overwrites_nothing()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var browser = await SignedInAsync(key);
        var form = await (await browser.GetAsync("/dashboard/settings", Ct)).Content.ReadAsStringAsync(Ct);
        var token = TokenOf(form);
        Assert.Contains("name=\"version\" value=\"0\"", form, StringComparison.Ordinal);

        var patched = await api.PatchAsync("/v1/settings", new StringContent("""{"notifications": {"noticeWindowHours": 12}}""", Encoding.UTF8, "application/merge-patch+json"), Ct);
        var stale = await browser.PostAsync("/dashboard/settings", Form(token, ("version", "0"), ("noticeWindowHours", "48"), ("quietStart", "21:00"), ("quietEnd", "08:00")), Ct);
        var read = await (await api.GetAsync("/v1/settings", Ct)).JsonAsync();

        Assert.Equal(1, (await patched.JsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var html = WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync(Ct));
        Assert.Contains("changed elsewhere", html, StringComparison.Ordinal);
        Assert.Contains("name=\"version\" value=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"48\"", html, StringComparison.Ordinal);
        Assert.Equal(12, read.GetProperty("notifications").GetProperty("noticeWindowHours").GetInt32());
        Assert.Equal(1, read.GetProperty("version").GetInt32());

        // Saved again at the version it now shows, the seller's value wins, deliberately.
        var saved = await browser.PostAsync("/dashboard/settings", Form(token, ("version", "1"), ("noticeWindowHours", "48"), ("quietStart", "21:00"), ("quietEnd", "08:00")), Ct);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(48, (await (await api.GetAsync("/v1/settings", Ct)).JsonAsync()).GetProperty("notifications").GetProperty("noticeWindowHours").GetInt32());
    }

    [Fact]
    public async Task A_webhook_endpoint_is_disabled_enabled_and_deleted_only_by_its_own_tenant()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var (_, _, otherKey) = await app.NewTenantClientAsync();
        var id = (await (await api.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://203.0.113.10/hooks", events = AllEvents })).JsonAsync()).GetProperty("id").GetString();
        var owner = await SignedInAsync(key);
        var intruder = await SignedInAsync(otherKey);
        var intruderToken = await TokenAsync(intruder, "/dashboard/webhooks");

        foreach (var handler in new[] { "Disable", "Enable", "Delete", "Rotate" })
        {
            var response = await intruder.PostAsync($"/dashboard/webhooks/{id}?handler={handler}", Form(intruderToken), Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetAsync($"/dashboard/webhooks/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);

        var token = await TokenAsync(owner, $"/dashboard/webhooks/{id}");
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync($"/dashboard/webhooks/{id}?handler=Disable", Form(token), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        var twice = await owner.PostAsync($"/dashboard/webhooks/{id}?handler=Disable", Form(token), Ct);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode); // an endpoint already disabled: the API's delete says so
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync($"/dashboard/webhooks/{id}?handler=Enable", Form(token), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
        var enabledTwice = await owner.PostAsync($"/dashboard/webhooks/{id}?handler=Enable", Form(token), Ct);
        Assert.Equal(HttpStatusCode.Conflict, enabledTwice.StatusCode);
        Assert.Contains("already enabled", await enabledTwice.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync($"/dashboard/webhooks/{id}?handler=Delete", Form(token), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/dashboard/webhooks/{id}", Ct)).StatusCode);
        Assert.Equal(0, (await (await api.GetAsync("/v1/webhook-endpoints", Ct)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_page_that_shows_a_new_secret_is_not_kept_by_the_browser()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = await SignedInAsync(key);
        var token = await TokenAsync(browser, "/dashboard/webhooks");

        var created = await browser.PostAsync("/dashboard/webhooks?handler=Create", Form(token, ("url", "https://203.0.113.10/hooks"), ("events", "shipment.milestone")), Ct);
        var html = await created.Content.ReadAsStringAsync(Ct);
        var list = await (await browser.GetAsync("/dashboard/webhooks", Ct)).Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("no-store", created.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var secret = SecretField().Match(html).Groups[1].Value;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", list, StringComparison.Ordinal);
    }

    internal static string Csv(string reference) => string.Join("\n", Build.CsvHeader, Build.CsvRow(reference)) + "\n";

    /// <summary>A valid CSV a little over the upload's 10 MB.</summary>
    private static byte[] OverLimit()
    {
        var csv = new StringBuilder(Build.CsvHeader).Append('\n');
        for (var i = 0; csv.Length <= 10 * 1024 * 1024 + 1024; i++)
        {
            csv.Append(Build.CsvRow($"BIG-{i}")).Append('\n');
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    internal static MultipartFormDataContent Multipart(string csv, string name, string? token) => Multipart(Encoding.UTF8.GetBytes(csv), name, token);

    internal static MultipartFormDataContent Multipart(byte[] bytes, string name, string? token, string type = "text/csv")
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        content.Add(file, "file", name);
        if (token is not null)
        {
            content.Add(new StringContent(token), "__antiforgery");
        }
        return content;
    }

    private static FormUrlEncodedContent Form(string? token, params (string Name, string Value)[] fields) =>
        new([.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), .. token is null ? [] : new[] { new KeyValuePair<string, string>("__antiforgery", token) }]);

    private async Task<HttpClient> SignedInAsync(string key)
    {
        var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = await TokenAsync(browser, "/dashboard/sign-in");
        var signIn = await browser.PostAsync("/dashboard/sign-in", Form(token, ("apiKey", key)), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return browser;
    }

    private static async Task<string> TokenAsync(HttpClient browser, string path) =>
        TokenOf(await (await browser.GetAsync(path, Ct)).Content.ReadAsStringAsync(Ct));

    private static string TokenOf(string html) => AntiforgeryField().Match(html) is { Success: true } match
        ? WebUtility.HtmlDecode(match.Groups[1].Value)
        : throw new InvalidOperationException("The page has no antiforgery field.");

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("id=\"secret-value\" type=\"text\" readonly value=\"([^\"]+)\"")]
    private static partial Regex SecretField();
}

public sealed class SqliteDashboardOrdersTests(SqliteApp app) : DashboardOrdersTests<SqliteApp, SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class PostgresDashboardOrdersTests(PostgresApp app) : DashboardOrdersTests<PostgresApp, PostgresDatabase>(app), IClassFixture<PostgresApp>;

/// <summary>
/// The upload's limit on a real Kestrel port (the in-memory test server has no request size limit and reads bodies
/// differently): a file just over 10 MB, and one four times that, are read to their end and thrown away, and the browser
/// gets the page's error; nothing is imported.
/// </summary>
public sealed class DashboardUploadLimitOnKestrelTests : IAsyncLifetime
{
    private readonly SqliteDatabase _database = new();
    private Microsoft.AspNetCore.Builder.WebApplication? _server;
    private string _baseUrl = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _database.RequireAvailable();
        (_server, _baseUrl) = await BrowserApp.StartServerAsync(_database.Storage.DataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        await _database.DisposeAsync();
    }

    [Theory]
    [InlineData(10 * 1024 * 1024 + 4096)]
    [InlineData(40 * 1024 * 1024)]
    public async Task An_upload_over_the_limit_answers_the_pages_error(int bytes)
    {
        var (db, _, key) = await _database.NewTenantAsync();
        await db.DisposeAsync();
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = new Uri(_baseUrl) };
        var signInForm = await (await browser.GetAsync("/dashboard/sign-in", Ct)).Content.ReadAsStringAsync(Ct);
        var signIn = await browser.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apiKey"] = key,
            ["__antiforgery"] = Token(signInForm),
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var token = Token(await (await browser.GetAsync("/dashboard/orders", Ct)).Content.ReadAsStringAsync(Ct));
        var file = new byte[bytes];
        Array.Fill(file, (byte)'a');

        var response = await browser.PostAsync("/dashboard/orders?handler=Import", SqliteDashboardOrdersTests.Multipart(file, "big.csv", token), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/orders?upload=too_large", response.Headers.Location!.OriginalString);
        var page = await browser.GetAsync(response.Headers.Location, Ct);
        Assert.Contains("larger than 10 MB", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        await using var check = _database.Storage.CreateDb();
        Assert.Equal(0, check.Orders.IgnoreQueryFilters().Count(o => o.Reference.StartsWith("BIG")));
    }

    private static string Token(string html) =>
        WebUtility.HtmlDecode(Regex.Match(html, "name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);
}
