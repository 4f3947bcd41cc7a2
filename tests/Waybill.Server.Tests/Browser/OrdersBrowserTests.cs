using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenQA.Selenium;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>
/// The dashboard's orders, booking, webhooks and settings pages in a real browser: a seller's CSV upload refused by line
/// then accepted, an order booked from its page, a webhook endpoint's secret shown once and rotated, and the settings saved
/// with a bad value named beside its field.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class OrdersBrowserTests(BrowserApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_csv_with_a_bad_row_is_refused_by_line_with_nothing_imported_then_a_good_one_lists_its_orders()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        app.SignIn(key);
        app.Go("/dashboard/orders");
        Assert.Contains("Orders: 0", app.Find("#order-count").Text, StringComparison.Ordinal);
        Check("orders-empty");

        // Line 1 the header, 2 and 3 an order of two lines, 4 a bad quantity: the file is refused whole.
        var bad = CsvFile("bad-orders.csv",
            Build.CsvHeader, Build.CsvRow("WEB-1", sku: "TS-1"), Build.CsvRow("WEB-1", sku: "TS-2"), Build.CsvRow("WEB-2", quantity: "two"));
        Upload(bad);
        app.WaitUntil(() => app.Driver.FindElements(By.Id("import-errors")).Count == 1, "the import errors");
        var rows = app.Driver.FindElements(By.CssSelector("table.row-errors tbody tr"));
        var error = Assert.Single(rows);
        Assert.Equal("4", error.FindElement(By.CssSelector("td:nth-child(1)")).Text);
        Assert.Equal("quantity", error.FindElement(By.CssSelector("td:nth-child(2)")).Text);
        Assert.Contains("'two' is not a number", error.FindElement(By.CssSelector("td:nth-child(3)")).Text, StringComparison.Ordinal);
        Assert.Contains("Errors: 1", app.Find("#import-errors").Text, StringComparison.Ordinal);
        Assert.Equal(0, await OrderCountAsync(api));
        Check("orders-upload-errors");
        Assert.Equal(0, await OrderCountAsync(api));

        var good = CsvFile("good-orders.csv",
            Build.CsvHeader, Build.CsvRow("WEB-1", sku: "TS-1"), Build.CsvRow("WEB-1", sku: "TS-2"), Build.CsvRow("WEB-2"));
        Upload(good);
        app.WaitUntil(() => app.Driver.FindElements(By.Id("import-result")).Count == 1, "the import result");
        Assert.Contains("Orders imported: 2", app.Find("#import-result").Text, StringComparison.Ordinal);
        Assert.Equal(2, await OrderCountAsync(api));
        var listed = app.Driver.FindElements(By.CssSelector("table.orders tbody tr td:first-child a")).Select(a => a.Text).ToList();
        Assert.Equal(["WEB-1", "WEB-2"], listed.Order(StringComparer.Ordinal));
        Check("orders-upload-done");

        // The same file again creates nothing new.
        Upload(good);
        app.WaitUntil(() => app.Driver.FindElements(By.Id("import-result")).Count == 1, "the second import result");
        Assert.Contains("Orders imported: 0", app.Find("#import-result").Text, StringComparison.Ordinal);
        Assert.Contains("left as they were: 2", app.Find("#import-result").Text, StringComparison.Ordinal);
        Assert.Equal(2, await OrderCountAsync(api));

        app.Go("/dashboard/orders?q=web-2");
        Assert.Equal(["WEB-2"], app.Driver.FindElements(By.CssSelector("table.orders tbody tr td:first-child a")).Select(a => a.Text));
        Check("orders-search");
    }

    [Fact]
    public async Task An_order_is_booked_from_its_page_and_the_seller_lands_on_the_shipment()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/v1/warehouses", Build.Warehouse(), Ct)).StatusCode);
        var order = await CreateOrderAsync(api, "BOOK-WEB-1");
        var cancelled = await CreateOrderAsync(api, "BOOK-WEB-2");
        app.SignIn(key);

        app.Go($"/dashboard/orders/{order}");
        Assert.Contains("BOOK-WEB-1", app.Find("h1").Text, StringComparison.Ordinal);
        Assert.Contains("610910", app.Find("table.lines").Text, StringComparison.Ordinal);
        var routes = app.Driver.FindElements(By.CssSelector("fieldset.routes input[type=radio]"));
        Assert.True(routes.Count >= 2, "the quote lists several routes");
        Assert.Single(routes, r => r.Selected);
        Check("order-bookable");

        // The second route, not the default: the booking takes the seller's choice.
        routes = app.Driver.FindElements(By.CssSelector("fieldset.routes input[type=radio]"));
        var chosen = routes[1].GetAttribute("value")!;
        app.Find($"label[for='{routes[1].GetAttribute("id")}']").Click();
        app.Find("section.book button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("/dashboard/shipments/", StringComparison.Ordinal), "the shipment's page");
        var shipmentId = Guid.Parse(app.Driver.Url.Split("/dashboard/shipments/")[1].Split('?')[0]);

        var booked = await (await api.GetAsync($"/v1/orders/{order}", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("shipped", booked.GetProperty("status").GetString());
        var shipment = await (await api.GetAsync($"/v1/shipments/{shipmentId}", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(order, shipment.GetProperty("orderId").GetGuid());
        Assert.Equal(chosen.Split('+'), shipment.GetProperty("legs").EnumerateArray().Select(l => l.GetProperty("service").GetString()!));

        app.Go($"/dashboard/orders/{order}");
        Assert.Empty(app.Driver.FindElements(By.CssSelector("section.book")));
        Assert.Single(app.Driver.FindElements(By.CssSelector($"ul.shipments a[href='/dashboard/shipments/{shipmentId}']")));
        Check("order-booked");

        // An order cancelled while its page was open: the booking's problem is shown on the page.
        app.Go($"/dashboard/orders/{cancelled}");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/v1/orders/{cancelled}/cancel", null, Ct)).StatusCode);
        app.Find("section.book button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("booking-error")).Count == 1, "the booking error");
        Assert.Contains("cancelled", app.Find("#booking-error").Text, StringComparison.Ordinal);
        Assert.Contains("shipping.order_cancelled", app.Find("#booking-error").Text, StringComparison.Ordinal);
        Check("order-booking-error");
    }

    [Fact]
    public async Task Lithium_batteries_that_no_service_carries_leave_every_route_out_with_the_reasons()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        await api.PostAsJsonAsync("/v1/warehouses", Build.Warehouse(), Ct);
        var order = await CreateOrderAsync(api, "BATTERY-1", Build.Line("PB-1", 1, 20m, "8507.60", 0.4m) with { DangerousGoods = ["UN3480", "aerosol", "liquid", "magnet", "powder"] });
        app.SignIn(key);

        app.Go($"/dashboard/orders/{order}");
        var quote = await (await api.PostAsJsonAsync("/v1/rates", new { orderId = order }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var routes = quote.GetProperty("routes").GetArrayLength();
        Assert.Equal(routes, app.Driver.FindElements(By.CssSelector("fieldset.routes input[type=radio]")).Count);
        Assert.Contains("UN3480", app.Find("section.book").Text, StringComparison.Ordinal);
        app.Find("details.left-out summary").Click();
        Assert.Contains("Restricted goods", app.Find("details.left-out").Text, StringComparison.Ordinal);
        if (routes == 0)
        {
            Assert.Single(app.Driver.FindElements(By.Id("no-route")));
        }
        Check("order-restricted");
    }

    [Fact]
    public async Task A_webhook_endpoint_shows_its_secret_once_and_a_rotation_shows_the_new_one_once()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        app.SignIn(key);
        app.Go("/dashboard/webhooks");
        Check("webhooks-empty");

        // The server refuses private addresses (the browser tests' server does not allow them): said beside the URL.
        app.Find("#webhook-url").SendKeys("http://127.0.0.1:9/hooks");
        app.Find("#event-0").Click();
        app.Find("form button.primary").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("url-error")).Count == 1, "the URL's error");
        Assert.Contains("loopback", app.Find("#url-error").Text, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:9/hooks", app.Find("#webhook-url").GetAttribute("value"));
        Assert.True(app.Find("#event-0").Selected, "the typed choices are kept");
        Check("webhooks-add-error");

        app.Find("#webhook-url").Clear();
        app.Find("#webhook-url").SendKeys("https://203.0.113.10/hooks/waybill");
        app.Find("#event-1").Click();
        app.Find("form button.primary").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("new-secret")).Count == 1, "the new secret");
        var secret = app.Find("#secret-value").GetAttribute("value")!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var endpoint = Assert.Single(await ListEndpointsAsync(api));
        Assert.Equal(["shipment.milestone", "shipment.exception"], endpoint.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var id = endpoint.GetProperty("id").GetGuid();
        Check("webhooks-secret");
        var second = secret;
        Assert.Equal(secret, app.Find("#secret-value").GetAttribute("value"));
        Assert.Single(await ListEndpointsAsync(api));

        app.Go("/dashboard/webhooks");
        Assert.DoesNotContain(secret, app.Driver.PageSource, StringComparison.Ordinal);
        Assert.DoesNotContain(second, app.Driver.PageSource, StringComparison.Ordinal);
        Assert.Empty(app.Driver.FindElements(By.Id("new-secret")));
        Assert.Contains("https://203.0.113.10/hooks/waybill", app.Find("table.endpoints").Text, StringComparison.Ordinal);
        Check("webhooks-list");

        app.Go($"/dashboard/webhooks/{id}");
        Assert.DoesNotContain(secret, app.Driver.PageSource, StringComparison.Ordinal);
        Assert.Contains("Deliveries: 0", app.Find("#delivery-count").Text, StringComparison.Ordinal);
        Check("webhook-endpoint");
        app.Find("#rotate").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("rotate-confirm")).Count == 1, "the rotation's confirmation");
        Check("webhook-rotate-confirm");
        app.Find("#rotate-confirm").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("new-secret")).Count == 1, "the rotated secret");
        var rotated = app.Find("#secret-value").GetAttribute("value")!;
        Assert.StartsWith("whsec_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(secret, rotated);
        Check("webhook-rotated");
        var latest = app.Find("#secret-value").GetAttribute("value")!;
        Assert.Equal(rotated, latest);
        app.Go($"/dashboard/webhooks/{id}");
        Assert.DoesNotContain(rotated, app.Driver.PageSource, StringComparison.Ordinal);
        Assert.DoesNotContain(latest, app.Driver.PageSource, StringComparison.Ordinal);

        app.Find("#disable").Click();
        app.WaitUntil(() => app.Find("#endpoint-state").Text == "Disabled", "the endpoint disabled");
        Assert.Empty(await ListEndpointsAsync(api)); // the API lists only enabled endpoints
        Check("webhook-disabled");
        app.Find("#enable").Click();
        app.WaitUntil(() => app.Find("#endpoint-state").Text == "Enabled", "the endpoint enabled again");
        Assert.Single(await ListEndpointsAsync(api));

        app.Find("#delete").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("delete-confirm")).Count == 1, "the deletion's confirmation");
        Check("webhook-delete-confirm");
        app.Find("#delete-confirm").Click();
        app.WaitUntil(() => app.Driver.Url.EndsWith("/dashboard/webhooks?deleted=true", StringComparison.Ordinal), "the list after the deletion");
        Assert.Empty(app.Driver.FindElements(By.CssSelector($"a[href='/dashboard/webhooks/{id}']")));
        Assert.All(app.Driver.FindElements(By.CssSelector("table.endpoints tbody tr")), row => Assert.Contains("Disabled", row.Text, StringComparison.Ordinal));
        Assert.Empty(await ListEndpointsAsync(api));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/webhook-endpoints/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Settings_are_saved_and_a_bad_value_is_named_beside_its_field_with_what_was_typed_kept()
    {
        app.Fresh();
        var (api, key) = await app.NewTenantAsync();
        app.SignIn(key);
        app.Go("/dashboard/settings");
        Assert.Equal("24", app.Find("#notice-window").GetAttribute("value"));
        Check("settings");

        Type("#alert-email", "ops@shop.example");
        Type("#notice-window", "48");
        Type("#time-zone", "Europe/Berlin");
        Type("#quiet-start", "22:30");
        Type("#scheme-IOSS-number", "im2760000001");
        app.Find("#scheme-CH_VAT-registered").Click();
        app.Find("form.settings button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("settings-saved")).Count == 1, "the saved notice");
        Assert.Equal("IM2760000001", app.Find("#scheme-IOSS-number").GetAttribute("value"));
        var saved = await (await api.GetAsync("/v1/settings", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var notifications = saved.GetProperty("notifications");
        Assert.Equal("ops@shop.example", notifications.GetProperty("alertEmail").GetString());
        Assert.Equal(48, notifications.GetProperty("noticeWindowHours").GetInt32());
        Assert.Equal("Europe/Berlin", notifications.GetProperty("timeZone").GetString());
        Assert.Equal("22:30", notifications.GetProperty("quietHours").GetProperty("start").GetString());
        Assert.Equal("08:00", notifications.GetProperty("quietHours").GetProperty("end").GetString());
        Assert.Equal("IM2760000001", saved.GetProperty("schemes").GetProperty("IOSS").GetProperty("number").GetString());
        Assert.True(saved.GetProperty("schemes").GetProperty("CH_VAT").GetProperty("registered").GetBoolean());
        Assert.False(saved.GetProperty("schemes").GetProperty("SG_GST").GetProperty("registered").GetBoolean());
        Check("settings-saved");

        Type("#notice-window", "500");
        Type("#scheme-IOSS-number", "XX123");
        Type("#alert-email", "ops@");
        app.Find("form.settings button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("settings-error")).Count == 1, "the settings' errors");
        Assert.Contains("1 to 240", app.Find("#err-notifications-noticeWindowHours").Text, StringComparison.Ordinal);
        Assert.Contains("not a IOSS number", app.Find("#err-schemes-IOSS-number").Text, StringComparison.Ordinal);
        Assert.NotEmpty(app.Find("#err-notifications-alertEmail").Text);
        Assert.Equal("true", app.Find("#notice-window").GetAttribute("aria-invalid"));
        Assert.Equal("500", app.Find("#notice-window").GetAttribute("value"));
        Assert.Equal("XX123", app.Find("#scheme-IOSS-number").GetAttribute("value"));
        Assert.Equal("ops@", app.Find("#alert-email").GetAttribute("value"));
        var unchanged = await (await api.GetAsync("/v1/settings", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(48, unchanged.GetProperty("notifications").GetProperty("noticeWindowHours").GetInt32());
        Check("settings-invalid");

        // Another change (the API) after the page was read: the page's save is refused as stale, the typed values kept.
        app.Go("/dashboard/settings");
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, "/v1/settings") { Content = JsonContent.Create(new { notifications = new { noticeWindowHours = 12 } }) })
        {
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(patch, Ct)).StatusCode);
        }
        Type("#alert-email", "night@shop.example");
        app.Find("form.settings button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("settings-error")).Count == 1, "the stale notice");
        Assert.Contains("changed elsewhere", app.Find("#settings-error").Text, StringComparison.Ordinal);
        Assert.Equal("night@shop.example", app.Find("#alert-email").GetAttribute("value"));
        Assert.Contains("Saved now: 12", app.Find("#notice-window").FindElement(By.XPath("..")).Text, StringComparison.Ordinal);
        var kept = await (await api.GetAsync("/v1/settings", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ops@shop.example", kept.GetProperty("notifications").GetProperty("alertEmail").GetString());
        Check("settings-stale");
    }

    /// <summary>The fixture's checks of the page (axe-core, 390 px), then the whole page's height in one more screenshot.</summary>
    private void Check(string name)
    {
        app.CheckPage(name);
        var metrics = app.Driver.ExecuteCdpCommand("Page.getLayoutMetrics", []) as Dictionary<string, object>;
        var size = metrics?["cssContentSize"] as Dictionary<string, object>;
        var shot = app.Driver.ExecuteCdpCommand("Page.captureScreenshot", new Dictionary<string, object?>
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new Dictionary<string, object>
            {
                ["x"] = 0,
                ["y"] = 0,
                ["width"] = Convert.ToDouble(size?["width"] ?? 1280, System.Globalization.CultureInfo.InvariantCulture),
                ["height"] = Math.Min(Convert.ToDouble(size?["height"] ?? 900, System.Globalization.CultureInfo.InvariantCulture), 8000),
                ["scale"] = 1,
            },
        }) as Dictionary<string, object>;
        Directory.CreateDirectory(BrowserApp.ScreenshotDirectory);
        File.WriteAllBytes(Path.Combine(BrowserApp.ScreenshotDirectory, name + "-full.png"), Convert.FromBase64String((string)shot!["data"]));
    }

    private void Upload(string path)
    {
        app.Go("/dashboard/orders");
        app.Find("#csv-file").SendKeys(path);
        app.Find("form.upload-form button[type=submit]").Click();
    }

    private void Type(string css, string text)
    {
        var input = app.Find(css);
        input.Clear();
        input.SendKeys(text);
    }

    private static string CsvFile(string name, params string[] lines)
    {
        var directory = Directory.CreateTempSubdirectory("waybill-upload-");
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static async Task<int> OrderCountAsync(HttpClient api) =>
        (await (await api.GetAsync("/v1/orders", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("total").GetInt32();

    private static async Task<List<JsonElement>> ListEndpointsAsync(HttpClient api) =>
        [.. (await (await api.GetAsync("/v1/webhook-endpoints", Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray()];

    private static async Task<Guid> CreateOrderAsync(HttpClient api, string reference, params Waybill.Orders.OrderLineInput[] lines)
    {
        var response = await api.PostAsJsonAsync("/v1/orders", Build.Order(reference, lines: lines), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }
}
