using System.Globalization;
using System.Net;
using OpenQA.Selenium;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Server.Tests.Browser;

/// <summary>
/// The dashboard's shipments list, shipment page and exceptions queue in a real browser, on parcels a seller's system
/// created through the API (orders, shipments, carrier events).
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class ShipmentsBrowserTests(BrowserApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EventInput Event(string number, string carrier, string code, DateTimeOffset at, string city, string country) =>
        new(number, carrier, code, $"{code} in {city}", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), new LocationInput(city, null, country));

    /// <summary>An order of a German buyer and its shipment on the given legs (carrier, number, role).</summary>
    private static async Task<string> ShipAsync(HttpClient api, string reference, string buyer, params (string Carrier, string Number, string Role)[] legs)
    {
        var input = Build.Order(reference) with { Buyer = new Waybill.Orders.BuyerInput(buyer, $"{reference.ToLowerInvariant()}@example.com", null, "en-GB", "Europe/Berlin") };
        var order = await api.PostJsonAsync("/v1/orders", input);
        Assert.Equal(HttpStatusCode.Created, order.StatusCode);
        var orderId = (await order.JsonAsync()).GetProperty("id").GetString();
        var shipment = await api.PostJsonAsync("/v1/shipments", new RegisterShipment.Request(orderId, [.. legs.Select(l => new LegInput(l.Carrier, l.Number, l.Role))]));
        Assert.Equal(HttpStatusCode.Created, shipment.StatusCode);
        return (await shipment.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task IngestAsync(HttpClient api, params EventInput[] events)
    {
        var response = await api.PostJsonAsync("/v1/tracking/events", new IngestEvents.Request(events));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await response.JsonAsync()).GetProperty("rejected").GetArrayLength());
    }

    /// <summary>
    /// <see cref="BrowserApp.Fresh"/>, and no dashboard session left by an earlier test either: its cookie's path is
    /// <c>/dashboard</c>, so it is only visible (and deleted) from there.
    /// </summary>
    private void Fresh()
    {
        app.Fresh();
        app.Go("/dashboard/sign-in");
        app.Driver.Manage().Cookies.DeleteAllCookies();
    }

    private IReadOnlyList<string> RowNumbers() =>
        [.. app.Driver.FindElements(By.CssSelector("table.shipments tbody tr a.number")).Select(a => a.Text)];

    [Fact]
    public async Task A_seller_finds_a_parcel_by_its_number_and_sees_its_timeline_across_both_legs_and_its_notifications()
    {
        Fresh();
        var (api, key) = await app.NewTenantAsync();
        var lineHaul = Build.S10(71000001);
        var lastMile = "SBXLDE00000071001";
        var id = await ShipAsync(api, "WEB-1001", "Greta Hoffmann", ("s10", lineHaul, "line_haul"), ("sbx-local-de", lastMile, "last_mile"));
        // Another parcel, so that the search has something to leave out.
        await ShipAsync(api, "WEB-1002", "Paul Weber", ("s10", Build.S10(71000002), "end_to_end"));
        var now = DateTimeOffset.UtcNow;
        var china = TimeSpan.FromHours(8);
        var germany = TimeSpan.FromHours(1);
        await IngestAsync(api,
            Event(lineHaul, "s10", "EMA", now.AddHours(-40).ToOffset(china), "Shenzhen", "CN"),
            Event(lineHaul, "s10", "EMC", now.AddHours(-30).ToOffset(china), "Guangzhou", "CN"),
            Event(lineHaul, "s10", "EMD", now.AddHours(-8).ToOffset(germany), "Frankfurt", "DE"),
            Event(lastMile, "sbx-local-de", "DO", now.AddHours(-3).ToOffset(germany), "Berlin", "DE"),
            Event(lastMile, "sbx-local-de", "OFD", now.AddHours(-1).ToOffset(germany), "Berlin", "DE"));

        app.SignIn(key);
        app.Find("nav.dashboard-nav a[href='/dashboard/shipments']").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("result-count")).Count == 1, "the shipments list");
        Assert.Equal(2, RowNumbers().Count);
        app.CheckPage("shipments-list");

        // The last mile's number, typed as a person might (lower case, a space): found through either leg.
        app.Find("#q").SendKeys(lastMile.ToLowerInvariant().Insert(6, " "));
        app.Find("form.filters button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("q=", StringComparison.Ordinal) && RowNumbers().Count == 1, "the search result");
        Assert.Equal([lineHaul], RowNumbers());
        Assert.Contains("WEB-1001", app.Find("table.shipments tbody tr").Text, StringComparison.Ordinal);
        Assert.Contains("Greta Hoffmann", app.Find("table.shipments tbody tr").Text, StringComparison.Ordinal);
        app.CheckPage("shipments-search");

        app.Find("table.shipments tbody tr a.number").Click();
        app.WaitUntil(() => app.Driver.Url.EndsWith($"/dashboard/shipments/{id}", StringComparison.OrdinalIgnoreCase), "the shipment page");
        var timeline = app.Driver.FindElements(By.CssSelector("#timeline > li"));
        Assert.Equal(5, timeline.Count);
        Assert.Equal(["2", "2", "1", "1", "1"], timeline.Select(li => li.GetAttribute("data-leg")));
        Assert.Contains("OFD", timeline[0].Text, StringComparison.Ordinal);
        Assert.Contains("sbx-local-de", timeline[0].Text, StringComparison.Ordinal);
        Assert.Contains("UTC+01:00", timeline[0].Text, StringComparison.Ordinal);
        Assert.Contains("EMA", timeline[^1].Text, StringComparison.Ordinal);
        Assert.Contains("UTC+08:00", timeline[^1].Text, StringComparison.Ordinal);
        Assert.Contains("Shenzhen", timeline[^1].Text, StringComparison.Ordinal);
        Assert.Equal(2, app.Driver.FindElements(By.CssSelector("#legs tbody tr")).Count);
        Assert.EndsWith($"/track/{lastMile}", app.Find("#public-tracking").GetAttribute("href"), StringComparison.Ordinal);
        // The notifications the events called for reach the log within a second or two (the worker's outbox): reload until then.
        app.WaitUntil(() =>
        {
            app.Driver.Navigate().Refresh();
            return app.Driver.FindElements(By.CssSelector("#notifications-table tbody tr")).Count > 0;
        }, "the notifications sent", seconds: 30);
        var notifications = app.Find("#notifications").Text;
        Assert.Contains("Shipped", notifications, StringComparison.Ordinal);
        Assert.Contains("web-1001@example.com", notifications, StringComparison.Ordinal);
        app.CheckPage("shipment-page");
    }

    [Fact]
    public async Task The_exceptions_queue_lists_customs_held_parcels_oldest_first()
    {
        Fresh();
        var (api, key) = await app.NewTenantAsync();
        var now = DateTimeOffset.UtcNow;
        var germany = TimeSpan.FromHours(1);
        var numbers = Enumerable.Range(72000001, 4).Select(Build.S10).ToArray();
        var (heldLong, heldLately, delivered, moving) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        var heldLongId = await ShipAsync(api, "HOLD-1", "Ines Keller", ("s10", heldLong, "end_to_end"));
        await ShipAsync(api, "HOLD-2", "Jonas Berg", ("s10", heldLately, "end_to_end"));
        await ShipAsync(api, "HOLD-3", "Lea Fischer", ("s10", delivered, "end_to_end"));
        await ShipAsync(api, "HOLD-4", "Tim Wolf", ("s10", moving, "end_to_end"));
        // The later hold arrives first: the queue's order is the parcels', not the arrival's.
        var china = TimeSpan.FromHours(8);
        await IngestAsync(api, [.. numbers.Select(n => Event(n, "s10", "EMA", now.AddHours(-90).ToOffset(china), "Shenzhen", "CN"))]);
        await IngestAsync(api,
            Event(heldLately, "s10", "EMD", now.AddHours(-30).ToOffset(germany), "Frankfurt", "DE"),
            Event(heldLately, "s10", "EME", now.AddHours(-20).ToOffset(germany), "Frankfurt", "DE"),
            Event(moving, "s10", "EMD", now.AddHours(-10).ToOffset(germany), "Frankfurt", "DE"),
            Event(delivered, "s10", "EME", now.AddHours(-70).ToOffset(germany), "Frankfurt", "DE"),
            Event(delivered, "s10", "EMI", now.AddHours(-5).ToOffset(germany), "Berlin", "DE"));
        await IngestAsync(api,
            Event(heldLong, "s10", "EMD", now.AddHours(-60).ToOffset(germany), "Frankfurt", "DE"),
            Event(heldLong, "s10", "EME", now.AddHours(-50).ToOffset(germany), "Frankfurt", "DE"));

        app.SignIn(key);
        app.Find("nav.dashboard-nav a[href='/dashboard/exceptions']").Click();
        app.WaitUntil(() => app.Driver.FindElements(By.Id("result-count")).Count == 1, "the exceptions queue");
        Assert.Equal([heldLong, heldLately], RowNumbers());
        var first = app.Find("#exceptions tbody tr");
        Assert.Contains("Held by customs", first.Text, StringComparison.Ordinal);
        Assert.Contains("HOLD-1", first.Text, StringComparison.Ordinal);
        Assert.Contains("2 days", first.Text, StringComparison.Ordinal); // held 50 hours ago
        Assert.Contains("CN → DE", first.Text, StringComparison.Ordinal); // the lane: from the first scan (the order names no warehouse) to the ship-to country
        Assert.Contains("s10", first.Text, StringComparison.Ordinal);
        app.CheckPage("exceptions");

        app.Find($"#kind option[value={ShipmentExceptions.CustomsHeld}]").Click();
        app.Find("form.filters button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("kind=customs_held", StringComparison.Ordinal), "the filtered queue");
        Assert.Equal([heldLong, heldLately], RowNumbers());

        app.Find($"#kind option[value={ShipmentExceptions.Lost}]").Click();
        app.Find("form.filters button[type=submit]").Click();
        app.WaitUntil(() => app.Driver.Url.Contains("kind=lost", StringComparison.Ordinal), "the queue of lost parcels");
        Assert.Empty(RowNumbers());
        Assert.Contains("Nothing needs attention", app.MainText, StringComparison.Ordinal);
        app.CheckPage("exceptions-none");

        // The list's exception filter says the same as the queue.
        app.Go("/dashboard/shipments?exception=customs_held");
        app.WaitUntil(() => app.Driver.FindElements(By.Id("result-count")).Count == 1, "the list filtered by exception");
        Assert.Equal([heldLately, heldLong], RowNumbers()); // the list is newest first
        app.CheckPage("shipments-exception-filter");

        app.Go("/dashboard/exceptions");
        app.Find("#exceptions tbody tr a.number").Click();
        app.WaitUntil(() => app.Driver.Url.EndsWith(heldLongId, StringComparison.OrdinalIgnoreCase), "the held parcel's page");
        Assert.Contains("Needs attention", app.MainText, StringComparison.Ordinal);
        Assert.Contains("Held by customs · since", app.MainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_booked_parcels_page_offers_its_label_and_declaration_and_forecasts_its_milestones()
    {
        Fresh();
        var (api, key) = await app.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/v1/warehouses", Build.Warehouse())).StatusCode);
        var order = await (await api.PostJsonAsync("/v1/orders", Build.Order("BOOK-1"))).JsonAsync();
        var booked = await api.PostJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new Waybill.Shipping.BookingInput("fastest"));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var shipment = await booked.JsonAsync();
        var id = shipment.GetProperty("id").GetString()!;
        var leg = shipment.GetProperty("legs")[0];
        var (carrier, number) = (leg.GetProperty("carrier").GetString()!, leg.GetProperty("trackingNumber").GetString()!);
        var postal = carrier.StartsWith("sbx-post", StringComparison.Ordinal);
        var china = TimeSpan.FromHours(8);
        await IngestAsync(api,
            Event(number, carrier, postal ? "EMA" : "PU", DateTimeOffset.UtcNow.AddHours(-6).ToOffset(china), "Shenzhen", "CN"),
            Event(number, carrier, postal ? "EMB" : "HUB", DateTimeOffset.UtcNow.AddHours(-2).ToOffset(china), "Shenzhen", "CN"));

        app.SignIn(key);
        app.Go($"/dashboard/shipments/{id}");
        Assert.Contains("BOOK-1", app.MainText, StringComparison.Ordinal);
        Assert.Contains("CN → DE", app.MainText, StringComparison.Ordinal);
        Assert.NotEmpty(app.Driver.FindElements(By.CssSelector("#forecast-source")));
        Assert.Contains("Delivered", app.Find("section[aria-labelledby=forecast-title] table").Text, StringComparison.Ordinal);
        // The downloads answer PDFs to the browser's session (a fetch from the page carries its cookie, as a click would).
        foreach (var link in new[] { "#label-link", "#declaration-link" })
        {
            var href = app.Find(link).GetAttribute("href");
            var type = (string)app.Driver.ExecuteAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status + ' ' + r.headers.get('content-type'))).catch(e => done(String(e)));", href)!;
            Assert.Equal("200 application/pdf", type);
        }
        app.CheckPage("shipment-booked");
    }

    [Fact]
    public async Task An_unknown_shipment_and_a_bad_filter_get_pages_that_say_so()
    {
        Fresh();
        var (_, key) = await app.NewTenantAsync();
        app.SignIn(key);

        app.Go($"/dashboard/shipments/{Guid.NewGuid()}");
        Assert.Contains("There is no such shipment", app.Find("#missing-reason").Text, StringComparison.Ordinal);
        app.CheckPage("shipment-not-found");

        app.Go("/dashboard/shipments?status=teleported&origin=XX");
        var problems = app.Find("#query-problems").Text;
        Assert.Contains("Choose a status from the list", problems, StringComparison.Ordinal);
        Assert.Contains("Choose the country it ships from", problems, StringComparison.Ordinal);
        app.CheckPage("shipments-bad-filter");

        app.Go("/dashboard/shipments");
        Assert.Contains("No shipments yet", app.MainText, StringComparison.Ordinal);
        app.CheckPage("shipments-empty");
    }
}
