using OpenQA.Selenium;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>The dashboard's sign-in in a real browser: the API key for a session cookie, then sign-out.</summary>
[Collection(BrowserTests.Name)]
public sealed class SignInBrowserTests(BrowserApp app)
{
    [Fact]
    public async Task A_seller_signs_in_with_the_api_key_and_out_again()
    {
        app.Fresh();
        var (_, key) = await app.NewTenantAsync();

        app.Go("/dashboard");
        app.WaitUntil(() => app.Driver.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal), "the sign-in page");
        app.CheckPage("sign-in");

        app.Find("#api-key").SendKeys("wb_not-a-key");
        app.Find("main form button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("key-error")).Count == 1, "the error");
        Assert.Contains("not valid", app.Find("#key-error").Text, StringComparison.Ordinal);
        app.CheckPage("sign-in-error");

        app.SignIn(key);
        Assert.EndsWith("/dashboard", app.Driver.Url, StringComparison.Ordinal);
        var session = app.Driver.Manage().Cookies.GetCookieNamed("waybill_session");
        Assert.NotNull(session);
        Assert.True(session.IsHttpOnly);
        Assert.Equal("Strict", session.SameSite);
        Assert.DoesNotContain(key, session.Value, StringComparison.Ordinal);
        app.CheckPage("overview");

        app.Find("form.sign-out button").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal), "the sign-in page after signing out");
        app.Go("/dashboard");
        app.WaitUntil(() => app.Driver.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal), "the dashboard to ask for a sign-in again");
    }
}
