using System.Net;
using System.Net.Http.Headers;
using OpenQA.Selenium;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>The buyer's tracking pages in a real browser: the story of a parcel, the confirmation, the languages, the 404 and the limit.</summary>
[Collection(BrowserTests.Name)]
public sealed class TrackBrowserTests(BrowserApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_buyer_tracks_a_parcel_and_sees_the_address_only_after_confirming_the_postal_code()
    {
        app.Fresh();
        var (api, _) = await app.NewTenantAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);

        app.Go("/track");
        app.CheckPage("track-search");
        app.Find("#track-number").SendKeys(" " + string.Join(' ', parcel.LastNumber.ToLowerInvariant().Chunk(4).Select(c => new string(c))) + " ");
        app.Find("form.track-search button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.Url.EndsWith("/track/" + parcel.LastNumber, StringComparison.Ordinal), "the parcel's page");

        Assert.Equal("At the local delivery office", app.Find("#milestone").Text);
        Assert.Equal("The parcel is at the local delivery office in Berlin, Germany.", app.Find("#now").Text);
        Assert.Contains("Local delivery office", app.Find("#journey li[aria-current=step]").Text, StringComparison.Ordinal);
        Assert.Equal(3, app.Driver.FindElements(By.CssSelector("#journey li.done")).Count);
        var timeline = app.Find("#timeline").Text;
        Assert.Contains("Berlin, Germany · DPD", timeline, StringComparison.Ordinal); // the last leg
        Assert.Contains("Shenzhen, China · International post", timeline, StringComparison.Ordinal); // the first leg
        Assert.Contains("At import customs", timeline, StringComparison.Ordinal);
        Assert.Matches(@"Friday, November 20, 2026, 8:00\sAM \(local time\)", timeline); // ICU puts a narrow no-break space before AM
        Assert.Contains("Expected delivery", app.MainText, StringComparison.Ordinal);
        Assert.Contains("Watch your letterbox", app.Find("#todo").Text, StringComparison.Ordinal);
        AssertNoPersonalData(parcel);
        app.CheckPage("track-parcel");

        app.Find("#confirm-code").SendKeys("10117");
        app.Find("#confirm button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("confirm-error")).Count == 1, "the confirmation's error");
        Assert.Contains("That does not match this parcel", app.Find("#confirm-error").Text, StringComparison.Ordinal);
        Assert.Equal("true", app.Find("#confirm-code").GetAttribute("aria-invalid"));
        Assert.Empty(app.Driver.FindElements(By.Id("address")));
        AssertNoPersonalData(parcel);
        app.CheckPage("track-confirm-wrong");

        app.Find("#confirm-code").SendKeys("10 115");
        app.Find("#confirm button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("address")).Count == 1, "the delivery address");
        var address = app.Find("#address").Text;
        Assert.Contains(parcel.BuyerName, address, StringComparison.Ordinal);
        Assert.Contains(parcel.Street, address, StringComparison.Ordinal);
        Assert.Contains("10115 Berlin", address, StringComparison.Ordinal);
        Assert.Contains("Germany", address, StringComparison.Ordinal);
        Assert.Empty(app.Driver.FindElements(By.Id("confirm-code")));
        Assert.Matches(@"Import duties and taxes of about EUR \d+\.\d\d will be due on delivery\.", app.Find("#todo").Text);
        var proof = app.Driver.Manage().Cookies.GetCookieNamed("waybill_track");
        Assert.NotNull(proof);
        Assert.True(proof.IsHttpOnly);
        Assert.Equal("Lax", proof.SameSite);
        Assert.Equal("/track", proof.Path);
        app.CheckPage("track-confirmed");
    }

    [Fact]
    public async Task The_page_speaks_the_language_of_the_query_or_of_the_browser()
    {
        app.Fresh();
        var (api, _) = await app.NewTenantAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);

        app.Go($"/track/{parcel.LastNumber}?lang=de");
        Assert.Equal("de", app.Find("html").GetAttribute("lang"));
        Assert.Equal("In der Zustellbasis", app.Find("#milestone").Text);
        Assert.Equal("Das Paket ist in der Zustellbasis in Berlin, Deutschland.", app.Find("#now").Text);
        Assert.Contains("Freitag, 20. November 2026, 08:00 Uhr", app.Find("#timeline").Text, StringComparison.Ordinal);
        Assert.Contains("Postleitzahl", app.Find("#confirm").Text, StringComparison.Ordinal);
        app.CheckPage("track-parcel-de");

        // The browser's languages (Accept-Language), as a browser set to Chinese sends them.
        using var chinese = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        chinese.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.5");
        var response = await chinese.GetAsync($"/track/{parcel.LastNumber}", Ct);
        var html = System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html lang=\"zh\"", html, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"milestone\">已到达当地派送点</h1>", html, StringComparison.Ordinal);
        Assert.Contains("2026年11月20日", html, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_number_gets_a_404_page_naming_the_carrier_it_looks_like()
    {
        app.Fresh();

        app.Go("/track/1Z5R89390357567127");

        Assert.Equal(404L, Convert.ToInt64(app.Driver.ExecuteScript("return performance.getEntriesByType('navigation')[0].responseStatus;"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("We can't find this parcel yet", app.Find("h1").Text);
        Assert.Equal("This looks like a tracking number from UPS.", app.Find("#carrier-guess").Text);
        Assert.Contains("wait", app.MainText, StringComparison.Ordinal);
        Assert.Equal("1Z5R89390357567127", app.Find("#track-number").GetAttribute("value"));
        app.CheckPage("track-unknown");
    }

    [Fact]
    public async Task Over_the_limit_a_lookup_answers_429_with_retry_after_and_a_page_saying_so()
    {
        app.Fresh();
        var database = new SqliteDatabase();
        await database.InitializeAsync();
        var (server, baseUrl) = await BrowserApp.StartServerAsync(database.Storage.DataDirectory, "--track-rate-limit", "3");
        try
        {
            // The browser and this client are the same client address (loopback): they share the limit.
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
            client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue("en"));
            var answers = new List<HttpResponseMessage>();
            for (var i = 0; i < 4; i++)
            {
                answers.Add(await client.GetAsync("/track/RB123456785GB", Ct));
            }

            Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, (HttpStatusCode)429], answers.Select(a => a.StatusCode));
            Assert.True(int.TryParse(answers[3].Headers.GetValues("Retry-After").Single(), out var seconds) && seconds is > 0 and <= 60, "Retry-After in seconds");

            app.Driver.Navigate().GoToUrl(baseUrl + "/track/RB123456785GB");
            Assert.Equal(429L, Convert.ToInt64(app.Driver.ExecuteScript("return performance.getEntriesByType('navigation')[0].responseStatus;"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("Too many lookups", app.Find("h1").Text);
            Assert.Contains("Please try again in", app.MainText, StringComparison.Ordinal);
            app.CheckPage("track-limited");
        }
        finally
        {
            await server.StopAsync(Ct);
            await server.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    private void AssertNoPersonalData(TrackedParcel parcel)
    {
        var page = app.Driver.PageSource;
        foreach (var secret in new[] { parcel.BuyerName, parcel.Street, parcel.Street2, parcel.Email, parcel.Phone, parcel.LineDescription, parcel.Reference, parcel.EventDescription })
        {
            Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        }
    }
}
