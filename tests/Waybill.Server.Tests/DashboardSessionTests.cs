using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Waybill.Server.Tests.Support;
using Waybill.Tenancy;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// The dashboard's session: the API key for an HttpOnly SameSite=Strict cookie, antiforgery on the form, sign-out, the
/// key's rotation ending the session, and the Data Protection keys in the database so another replica (or a restart)
/// reads the cookie.
/// </summary>
public abstract partial class DashboardSessionTests<TApp, TDatabase>(TApp app)
    where TApp : WaybillApp<TDatabase>
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_api_key_is_exchanged_for_an_http_only_strict_cookie_that_opens_the_dashboard()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = Browser(app.Factory);

        var redirect = await browser.GetAsync("/dashboard", Ct);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/dashboard/sign-in", redirect.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var signIn = await SignInAsync(browser, key);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/dashboard", signIn.Headers.Location!.OriginalString);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("waybill_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, cookie, StringComparison.Ordinal);

        var overview = await browser.GetAsync("/dashboard", Ct);
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("<h1>Overview</h1>", await overview.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_on_the_page_and_a_post_without_the_antiforgery_token_is_rejected()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = Browser(app.Factory);

        var wrong = await SignInAsync(browser, "wb_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("not valid", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var forged = await browser.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = key }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("text/html", forged.Content.Headers.ContentType!.MediaType);
        Assert.Contains("This form could not be sent", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(forged.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("waybill_session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unknown_dashboard_address_is_a_page_in_the_viewers_language_and_the_api_keeps_problem_details()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = Browser(app.Factory);
        await SignInAsync(browser, key);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/no-such-page");
        request.Headers.AcceptLanguage.ParseAdd("fr-CA,fr;q=0.9");
        var page = await browser.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<html lang=\"fr\"", html, StringComparison.Ordinal);
        Assert.Contains("Page introuvable", html, StringComparison.Ordinal);

        var api = await app.ClientWithKey(key).GetAsync("/v1/no-such-thing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("https://evil.example/dashboard")]
    [InlineData("//evil.example/dashboard")]
    [InlineData("/\\evil.example")]
    [InlineData("/track/anything")]
    public async Task Sign_in_returns_only_to_a_dashboard_page(string returnUrl)
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = Browser(app.Factory);
        var signIn = await SignInAsync(browser, key, returnUrl);
        Assert.Equal("/dashboard", signIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var browser = Browser(app.Factory);
        await SignInAsync(browser, key);
        var page = await (await browser.GetAsync("/dashboard", Ct)).Content.ReadAsStringAsync(Ct);

        var signOut = await browser.PostAsync("/dashboard/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__antiforgery"] = TokenOf(page) }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard", Ct)).StatusCode);
    }

    [Fact]
    public async Task Rotating_the_api_key_ends_the_sessions_opened_with_the_old_one()
    {
        var (db, _, key) = await app.Database.NewTenantAsync();
        var name = db.Tenants.Single(t => t.Id == db.TenantId).Name;
        await db.DisposeAsync();
        var browser = Browser(app.Factory);
        await SignInAsync(browser, key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard", Ct)).StatusCode);

        await using (var admin = app.Database.Storage.CreateDb())
        {
            var rotated = await new RotateApiKey.Handler(admin, TimeProvider.System).HandleAsync(new RotateApiKey.Request(name), Ct);
            Assert.True(rotated.IsSuccess);
        }

        var after = await browser.GetAsync("/dashboard", Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/dashboard/sign-in", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_replica_on_the_same_database_reads_the_session_cookie()
    {
        var (_, _, key) = await app.NewTenantClientAsync();
        var first = Browser(app.Factory);
        var signIn = await SignInAsync(first, key);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("waybill_session=", StringComparison.Ordinal)).Split(';')[0];

        await using var replica = app.NewReplica();
        var second = replica.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Add("Cookie", cookie);
        var response = await second.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>Overview</h1>", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Browser(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key, string? returnUrl = null)
    {
        var form = await (await browser.GetAsync("/dashboard/sign-in", Ct)).Content.ReadAsStringAsync(Ct);
        var fields = new Dictionary<string, string> { ["apiKey"] = key, ["__antiforgery"] = TokenOf(form) };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }
        return await browser.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(fields), Ct);
    }

    private static string TokenOf(string html) => AntiforgeryField().Match(html) is { Success: true } match
        ? WebUtility.HtmlDecode(match.Groups[1].Value)
        : throw new InvalidOperationException("The page has no antiforgery field.");

    [GeneratedRegex("name=\"__antiforgery\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class SqliteDashboardSessionTests(SqliteApp app) : DashboardSessionTests<SqliteApp, SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class PostgresDashboardSessionTests(PostgresApp app) : DashboardSessionTests<PostgresApp, PostgresDatabase>(app), IClassFixture<PostgresApp>;
