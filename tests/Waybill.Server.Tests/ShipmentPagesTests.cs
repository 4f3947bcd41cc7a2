using System.Net;
using System.Text.RegularExpressions;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// The dashboard's shipment pages over HTTP with a session cookie: the label and customs declaration downloads, the
/// 404 pages, and the list's filters on the API.
/// </summary>
public abstract partial class ShipmentPagesTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A browser-like client signed in to the dashboard with the key (cookies kept, redirects not followed).</summary>
    private HttpClient SignedIn(string apiKey)
    {
        var client = app.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = client.GetStringAsync("/dashboard/sign-in", Ct).GetAwaiter().GetResult();
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        var signIn = client.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apiKey"] = apiKey,
            ["__antiforgery"] = token,
        }), Ct).GetAwaiter().GetResult();
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }

    private static async Task<string> BookAsync(HttpClient api, string reference)
    {
        var order = await (await api.PostJsonAsync("/v1/orders", Build.Order(reference))).JsonAsync();
        var booked = await api.PostJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new BookingInput("fastest"));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return (await booked.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<string> RegisterAsync(HttpClient api, string number)
    {
        var registered = await api.PostJsonAsync("/v1/shipments", new RegisterShipment.Request(null, [new LegInput("s10", number, null)]));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.JsonAsync()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task The_label_and_the_customs_declaration_download_as_the_apis_pdfs_with_the_session_cookie()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        await api.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var shipment = await BookAsync(api, "PDF-1");
        var browser = SignedIn(key);

        var page = await browser.GetStringAsync($"/dashboard/shipments/{shipment}", Ct);
        var label = await browser.GetAsync($"/dashboard/shipments/{shipment}/label", Ct);
        var declaration = await browser.GetAsync($"/dashboard/shipments/{shipment}/declaration", Ct);
        var apiLabel = await api.GetAsync($"/v1/shipments/{shipment}/label", Ct);
        var anonymous = await app.Factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync($"/dashboard/shipments/{shipment}/label", Ct);

        Assert.Contains($"href=\"/dashboard/shipments/{shipment}/label\"", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/dashboard/shipments/{shipment}/declaration\"", page, StringComparison.Ordinal);
        foreach (var (response, name) in new[] { (label, "label"), (declaration, "customs-declaration") })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($"{name}-{shipment}.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
            Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString((await response.Content.ReadAsByteArrayAsync(Ct))[..5]), StringComparison.Ordinal);
        }
        // The same document as the API's (the same handler): the same size, give or take the PDF's timestamps.
        Assert.InRange((await label.Content.ReadAsByteArrayAsync(Ct)).Length, (await apiLabel.Content.ReadAsByteArrayAsync(Ct)).Length - 64, (await apiLabel.Content.ReadAsByteArrayAsync(Ct)).Length + 64);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/dashboard/sign-in", anonymous.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shipment_another_tenants_and_a_document_there_is_none_of_are_404_pages()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        var (_, _, otherKey) = await app.NewTenantClientAsync();
        var registered = await RegisterAsync(api, Build.S10(73000001));
        var browser = SignedIn(key);
        var other = SignedIn(otherKey);

        var own = await browser.GetAsync($"/dashboard/shipments/{registered}", Ct);
        var noLabel = await browser.GetAsync($"/dashboard/shipments/{registered}/label", Ct);
        var noDeclaration = await browser.GetAsync($"/dashboard/shipments/{registered}/declaration", Ct);
        var unknown = await browser.GetAsync($"/dashboard/shipments/{Guid.NewGuid()}", Ct);
        var malformed = await browser.GetAsync("/dashboard/shipments/not-an-id", Ct);
        var unknownLabel = await browser.GetAsync($"/dashboard/shipments/{Guid.NewGuid()}/label", Ct);
        var othersShipment = await other.GetAsync($"/dashboard/shipments/{registered}", Ct);
        var othersLabel = await other.GetAsync($"/dashboard/shipments/{registered}/label", Ct);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.DoesNotContain("/label\"", await own.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal); // nothing to download: no link
        foreach (var response in new[] { noLabel, noDeclaration, unknown, malformed, unknownLabel, othersShipment, othersLabel })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("id=\"missing-reason\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        Assert.Contains("This shipment has no label", await noLabel.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("no customs declaration", await noDeclaration.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("There is no such shipment", await othersShipment.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("There is no such shipment", await othersLabel.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_takes_the_search_lane_and_exception_filters_on_the_page_and_on_the_api()
    {
        var (api, _, key) = await app.NewTenantClientAsync();
        await api.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        await BookAsync(api, "LANE-1");
        var registered = await RegisterAsync(api, Build.S10(73000002));
        var browser = SignedIn(key);

        var byReference = await (await api.GetAsync("/v1/shipments?search=lane-1&origin=CN&destination=DE", Ct)).JsonAsync();
        var byNumber = await (await api.GetAsync($"/v1/shipments?search={Build.S10(73000002).ToLowerInvariant()}", Ct)).JsonAsync();
        var exceptions = await (await api.GetAsync("/v1/shipments?exception=any&sort=oldest_scan", Ct)).JsonAsync();
        var bad = await api.GetAsync("/v1/shipments?exception=misplaced&sort=sideways", Ct);
        var page = await browser.GetStringAsync("/dashboard/shipments?q=LANE-1&origin=CN&destination=DE", Ct);
        var badPage = await browser.GetAsync("/dashboard/shipments?exception=misplaced", Ct);
        var pastTheEnd = await browser.GetStringAsync("/dashboard/shipments?page=99", Ct);
        var badNumber = await browser.GetAsync("/dashboard/exceptions?page=first", Ct);

        Assert.Equal(1, byReference.GetProperty("total").GetInt32());
        var row = byReference.GetProperty("items")[0];
        Assert.Equal("LANE-1", row.GetProperty("order").GetProperty("reference").GetString());
        Assert.Equal("CN", row.GetProperty("lane").GetProperty("origin").GetString());
        Assert.Equal("DE", row.GetProperty("lane").GetProperty("destination").GetString());
        Assert.Equal(0, row.GetProperty("exceptions").GetArrayLength());
        Assert.Equal(registered, byNumber.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(0, exceptions.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.JsonAsync();
        Assert.Equal("request.invalid_query", problem.Code());
        Assert.True(problem.GetProperty("errors").TryGetProperty("exception", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("sort", out _));
        Assert.Contains("1 shipment matches.", page, StringComparison.Ordinal);
        Assert.Contains("LANE-1", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("Choose an exception from the list.", await badPage.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("the list ends on page 1.", pastTheEnd, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badNumber.StatusCode);
        Assert.Contains("There is no such page", await badNumber.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class ShipmentPagesTestsOnSqlite(SqliteApp app) : ShipmentPagesTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class ShipmentPagesTestsOnPostgres(PostgresApp app) : ShipmentPagesTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
