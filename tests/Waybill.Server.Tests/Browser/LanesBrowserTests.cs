using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OpenQA.Selenium;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>
/// The lane performance page in a real browser: parcels created and moved through the real <c>/v1</c> API (the event
/// times are what count), then the charts drawn by the vendored Chart.js, and the same numbers in the tables.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class LanesBrowserTests(BrowserApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string At(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object body)
    {
        using var response = await api.PostAsJsonAsync(path, body, Json, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task IngestAsync(HttpClient api, params object[] events)
    {
        var result = await PostAsync(api, "/v1/tracking/events", new { events });
        Assert.Equal(events.Length, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("unmatched").GetInt32());
    }

    private static object Event(string number, string carrier, string code, DateTimeOffset at, string city, string country) =>
        new { trackingNumber = number, carrier, code, occurredAt = At(at), location = new { city, country } };

    /// <summary>
    /// Signs in as this test's seller. The session cookie's path is /dashboard, so BrowserApp.Fresh (on /health/live)
    /// does not see it to delete it: an earlier test's session is cleared here, from a dashboard page.
    /// </summary>
    private void SignIn(string key)
    {
        app.Go("/dashboard/sign-in");
        app.Driver.Manage().Cookies.DeleteAllCookies();
        app.SignIn(key);
    }

    [Fact]
    public async Task A_seller_opens_the_lane_charts_and_reads_the_same_numbers_in_the_tables()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        using var _api = api;
        // Three orders to Germany booked on Sandbox Express, picked up in Shenzhen 2.5, 4.5 and 7 days before their
        // delivery an hour ago: median 4.5 days, 90th percentile 4.5 + 0.8 x 2.5 = 6.5; all before the booked window ends.
        var now = DateTimeOffset.UtcNow;
        var delivered = now.AddHours(-1);
        await PostAsync(api, "/v1/warehouses", Build.Warehouse());
        foreach (var (days, i) in new[] { 2.5, 4.5, 7 }.Select((d, i) => (d, i)))
        {
            var order = await PostAsync(api, "/v1/orders", Build.Order($"LANE-{i}", "DE", "10115"));
            var shipment = await PostAsync(api, $"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new { serviceId = "sbx-express-worldwide" });
            var leg = shipment.GetProperty("legs")[0];
            var (carrier, number) = (leg.GetProperty("carrier").GetString()!, leg.GetProperty("trackingNumber").GetString()!);
            Assert.True(DateTimeOffset.Parse(shipment.GetProperty("expectedDelivery").GetProperty("latest").GetString()!, CultureInfo.InvariantCulture) > delivered);
            await IngestAsync(api, Event(number, carrier, "PU", delivered.AddDays(-days), "Shenzhen", "CN"), Event(number, carrier, "DLV", delivered, "Berlin", "DE"));
        }
        // A parcel registered on an S10 leg, held by German customs: the lane's S10 exception rate is 1 of 1.
        var held = Build.S10(61000001);
        await PostAsync(api, "/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = held } } });
        await IngestAsync(api, Event(held, "s10", "EMA", now.AddDays(-3), "Shenzhen", "CN"), Event(held, "s10", "EME", now.AddDays(-1), "Frankfurt", "DE"));

        SignIn(key);
        app.Go("/dashboard/lanes");
        app.WaitUntil(() => (bool)app.Driver.ExecuteScript(
            "const c = [...document.querySelectorAll('canvas')]; return c.length === 3 && c.every(x => window.Chart && Chart.getChart(x) != null);")!,
            "the three charts drawn by Chart.js");

        // The charts hold the figures: the median line of CN-DE reaches 4.5, the on-time line 100 %.
        Assert.Equal(4.5, Convert.ToDouble(app.Driver.ExecuteScript(
            "return Math.max(...Chart.getChart(document.getElementById('transit-chart')).data.datasets[0].data.filter(v => v !== null));"), CultureInfo.InvariantCulture));
        Assert.Equal(100, Convert.ToDouble(app.Driver.ExecuteScript(
            "return Math.max(...Chart.getChart(document.getElementById('ontime-chart')).data.datasets[0].data.filter(v => v !== null));"), CultureInfo.InvariantCulture));
        foreach (var canvas in app.Driver.FindElements(By.TagName("canvas")))
        {
            Assert.Equal("img", canvas.GetAttribute("role"));
            Assert.False(string.IsNullOrWhiteSpace(canvas.GetAttribute("aria-label")));
        }
        Assert.Contains("CN → DE median 4.5 days, 90th percentile 6.5 days", app.Find("#transit-chart").GetAttribute("aria-label"), StringComparison.Ordinal);

        // The numbers without the canvas: open each table.
        foreach (var summary in app.Driver.FindElements(By.CssSelector(".lanes-chart details > summary")))
        {
            summary.Click();
        }
        string[] Cells(string row) => [.. app.Driver.FindElements(By.CssSelector(row + " > *")).Select(c => c.Text)];
        Assert.Equal(["All 12 weeks", "3", "4.5", "6.5"], Cells("#transit-table tr.total[data-lane='CN-DE']"));
        Assert.Equal(["All 12 weeks", "3", "3", "100%"], Cells("#ontime-table tr.total[data-lane='CN-DE']"));
        Assert.Equal(["s10", "1", "1", "100%"], Cells("#exceptions-table tr[data-lane='CN-DE'][data-carrier='s10']"));
        Assert.Equal(["sbx-express", "3", "0", "0%"], Cells("#exceptions-table tr[data-lane='CN-DE'][data-carrier='sbx-express']"));
        Assert.All(app.Driver.FindElements(By.CssSelector(".lanes-chart tbody tr.lane th")), th => Assert.Equal("CN → DE", th.Text));
        // Every lane in one table: 4 shipments (the held one too), 1 of them with an exception.
        Assert.Equal(["CN → DE", "4", "3", "4.5", "6.5", "100%", "25%"], Cells("#lanes-table tr[data-lane='CN-DE']"));
        app.CheckPage("lanes");

        // A lane's link charts it alone.
        app.Find("#lanes-table tr[data-lane='CN-DE'] a").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("lane=CN-DE", StringComparison.Ordinal), "the lane's page");
        Assert.Equal("CN-DE", app.Find("#lane").GetAttribute("value"));
        Assert.Equal("12", app.Find("#weeks").GetAttribute("value"));

        // One lane, a shorter period: the form keeps the choice.
        app.Go("/dashboard/lanes?weeks=4&lane=CN-DE");
        app.WaitUntil(() => app.Driver.FindElements(By.CssSelector("#transit-table")).Count == 1, "the lane's page");
        Assert.Equal("4", app.Find("#weeks").GetAttribute("value"));
        Assert.Equal("CN-DE", app.Find("#lane").GetAttribute("value"));

        // A period the page does not offer: said so, no charts, the lane still chosen.
        app.Go("/dashboard/lanes?weeks=5&lane=CN-DE");
        app.WaitUntil(() => app.Driver.FindElements(By.Id("weeks-error")).Count == 1, "the period's error");
        Assert.Contains("4, 12 or 26 weeks", app.Find("#weeks-error").Text, StringComparison.Ordinal);
        Assert.Equal("true", app.Find("#weeks").GetAttribute("aria-invalid"));
        Assert.Equal("CN-DE", app.Find("#lane").GetAttribute("value"));
        Assert.Empty(app.Driver.FindElements(By.TagName("canvas")));
        app.CheckPage("lanes-bad-period");
    }

    [Fact]
    public async Task A_seller_without_parcels_gets_a_message_instead_of_empty_charts()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        api.Dispose();

        SignIn(key);
        app.Go("/dashboard/lanes");

        app.WaitUntil(() => app.Driver.FindElements(By.Id("no-data")).Count == 1, "the no-data message");
        Assert.Contains("None of your parcels was scanned in the last 12 weeks", app.Find("#no-data").Text, StringComparison.Ordinal);
        Assert.Empty(app.Driver.FindElements(By.TagName("canvas")));
        Assert.Equal(0L, app.Driver.ExecuteScript("return document.querySelectorAll('script[src*=\"chart\"]').length;"));
        app.CheckPage("lanes-empty");
    }
}
