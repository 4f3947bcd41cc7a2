using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Waybill.Server.Tests.Browser;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>One real server (Kestrel on loopback) on a real database for the tracking-page tests that do not test the limits.</summary>
public sealed class TrackServer<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    private WebApplication? _server;

    public TDatabase Database { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        if (Database.Unavailable is not null)
        {
            return;
        }
        string[] options = Database.Storage.Provider == Waybill.Persistence.DatabaseProvider.Postgres ? ["--database", Database.Storage.ConnectionString] : [];
        (_server, BaseUrl) = await BrowserApp.StartServerAsync(Database.Storage.DataDirectory, options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        await Database.DisposeAsync();
    }

    /// <summary>An API client of a new tenant, on this server (skips the test when the database is not available).</summary>
    public async Task<HttpClient> NewTenantApiAsync() => await TrackPages.ApiAsync(BaseUrl, Database);
}

internal static class TrackPages
{
    public static async Task<HttpClient> ApiAsync(string baseUrl, TestDatabase database)
    {
        var (db, _, key) = await database.NewTenantAsync();
        await db.DisposeAsync();
        var api = new HttpClient { BaseAddress = new Uri(baseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return api;
    }
}

/// <summary>
/// The buyer's public tracking pages over HTTP, on SQLite and PostgreSQL: what they show before and after the buyer
/// confirms, the limit on wrong confirmations, the 404 for an unknown number, the locale, the lookup across sellers.
/// </summary>
public abstract class TrackPagesTests<TDatabase>(TrackServer<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Before_confirmation_the_page_tells_the_journey_without_any_personal_data()
    {
        var api = await app.NewTenantApiAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var response = await browser.GetAsync($"/track/{parcel.LastNumber}", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct).Decoded();
        var byFirstLeg = await browser.GetAsync($"/track/{parcel.FirstNumber.ToLowerInvariant()}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byFirstLeg.StatusCode);
        Assert.Contains("<h1 id=\"milestone\">At the local delivery office</h1>", html, StringComparison.Ordinal);
        Assert.Contains("The parcel is at the local delivery office in Berlin, Germany.", html, StringComparison.Ordinal);
        Assert.Matches("aria-current=\"step\">\\s*Local delivery office\\s*</li>", html);
        Assert.Contains("Customs in Germany", html, StringComparison.Ordinal);
        Assert.Contains("Sent from China", html, StringComparison.Ordinal);
        // Both legs' scans, in their local times; the one stamped in UTC in China (two zones there) in the buyer's zone.
        Assert.Contains("datetime=\"2026-11-20T08:00:00+08:00\"", html, StringComparison.Ordinal);
        Assert.Contains("datetime=\"2026-11-25T07:40:00+01:00\"", html, StringComparison.Ordinal);
        Assert.Contains("datetime=\"2026-11-21T15:10:00+01:00\"", html, StringComparison.Ordinal);
        Assert.Contains("(Europe/Berlin time)", html, StringComparison.Ordinal);
        Assert.Contains("the time is shown in Europe/Berlin, your time zone.", html, StringComparison.Ordinal);
        Assert.Contains("Cleared customs", html, StringComparison.Ordinal);
        Assert.Contains("Shenzhen, China", html, StringComparison.Ordinal);
        Assert.Contains("Watch your letterbox, email and text messages for a delivery notice from DPD.", html, StringComparison.Ordinal);
        Assert.Contains("Import duties and taxes will be due on delivery. Confirm below to see the amount.", html, StringComparison.Ordinal);
        Assert.Contains("id=\"confirm-code\"", html, StringComparison.Ordinal);
        foreach (var secret in new[]
        {
            parcel.BuyerName, parcel.Street, parcel.Street2, parcel.Email, parcel.Phone, parcel.LineDescription, parcel.Reference,
            parcel.PostalCode, "10117", parcel.EventDescription, "EUR ",
        })
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_buyer_who_confirms_the_postal_code_sees_the_recipient_and_the_address()
    {
        var api = await app.NewTenantApiAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var blank = await TrackParcels.ConfirmAsync(browser, parcel.LastNumber, "   ");
        var afterBlank = await (await browser.GetAsync(blank.Headers.Location, Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var wrong = await TrackParcels.ConfirmAsync(browser, parcel.LastNumber, "10117");
        var afterWrong = await (await browser.GetAsync(wrong.Headers.Location, Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var right = await TrackParcels.ConfirmAsync(browser, parcel.LastNumber, " 10-11 5 ");
        var page = await (await browser.GetAsync($"/track/{parcel.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var otherLeg = await (await browser.GetAsync($"/track/{parcel.FirstNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        using var stranger = TrackParcels.Browser(app.BaseUrl);
        var strangers = await (await stranger.GetAsync($"/track/{parcel.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Equal($"/track/{parcel.LastNumber}?confirm=missing#confirm", blank.Headers.Location!.OriginalString);
        Assert.Contains("Enter the postal code or order reference first.", afterBlank, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        Assert.Equal($"/track/{parcel.LastNumber}?confirm=wrong#confirm", wrong.Headers.Location!.OriginalString);
        Assert.Contains("That does not match this parcel. Attempts left: 4.", afterWrong, StringComparison.Ordinal);
        Assert.DoesNotContain(parcel.BuyerName, afterWrong, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var cookie = right.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("waybill_track=", StringComparison.Ordinal));
        Assert.Contains("path=/track", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=1800", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(parcel.LastNumber, cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(parcel.BuyerName, page, StringComparison.Ordinal);
        Assert.Contains(parcel.Street, page, StringComparison.Ordinal);
        Assert.Contains(parcel.Street2, page, StringComparison.Ordinal);
        Assert.Contains("10115 Berlin", page, StringComparison.Ordinal);
        Assert.Contains(parcel.EventDescription, page, StringComparison.Ordinal);
        Assert.Matches(@"Import duties and taxes of about EUR \d+\.\d\d will be due on delivery\.", page);
        Assert.DoesNotContain("id=\"confirm-code\"", page, StringComparison.Ordinal);
        Assert.Contains(parcel.BuyerName, otherLeg, StringComparison.Ordinal); // the proof is for the parcel, whichever number
        Assert.DoesNotContain(parcel.BuyerName, strangers, StringComparison.Ordinal);
        Assert.DoesNotContain(parcel.Email, page, StringComparison.Ordinal);
        Assert.DoesNotContain(parcel.Phone, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proof_for_one_parcel_does_not_open_another_and_a_forged_one_opens_nothing()
    {
        var api = await app.NewTenantApiAsync();
        var first = await TrackParcels.DeliveryOfficeAsync(api);
        var second = await TrackParcels.DeliveryOfficeAsync(await app.NewTenantApiAsync());
        using var browser = TrackParcels.Browser(app.BaseUrl);
        await TrackParcels.ConfirmAsync(browser, first.LastNumber, first.PostalCode);

        var other = await (await browser.GetAsync($"/track/{second.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        using var forger = TrackParcels.Browser(app.BaseUrl);
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"/track/{first.LastNumber}");
        forged.Headers.Add("Cookie", "waybill_track=CfDJ8" + new string('A', 200));
        var forgedPage = await (await forger.SendAsync(forged, Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var own = await (await browser.GetAsync($"/track/{first.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains(first.BuyerName, own, StringComparison.Ordinal);
        Assert.DoesNotContain(second.BuyerName, other, StringComparison.Ordinal);
        Assert.Contains("id=\"confirm-code\"", other, StringComparison.Ordinal);
        Assert.DoesNotContain(first.BuyerName, forgedPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shipment_without_an_order_never_shows_personal_data_nor_a_confirmation_form()
    {
        var api = await app.NewTenantApiAsync();
        var number = await TrackParcels.WithoutOrderAsync(api);
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var page = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        // A valid antiforgery token, from a parcel whose page has the form: the orderless page offers none.
        var (withForm, _) = await TrackParcels.ToHongKongAsync(api);
        var post = await TrackParcels.ConfirmAsync(browser, number, "10115", tokenFrom: withForm);
        var noToken = await browser.PostAsync($"/track/{number}", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "10115" }), Ct);
        var after = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains("Arrived in the destination country", page, StringComparison.Ordinal);
        Assert.Contains("Frankfurt, Germany", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"confirm", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Zyxwort", page, StringComparison.Ordinal); // the carrier's own description names someone
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.False(post.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("waybill_track=", StringComparison.Ordinal)));
        Assert.DoesNotContain("Zyxwort", after, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"address\"", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Where_the_country_has_no_postal_codes_the_buyer_confirms_with_the_order_reference()
    {
        var api = await app.NewTenantApiAsync();
        var (number, reference) = await TrackParcels.ToHongKongAsync(api);
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var before = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var confirmed = await TrackParcels.ConfirmAsync(browser, number, reference.ToLowerInvariant());
        var after = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains("enter your order reference", before, StringComparison.Ordinal);
        Assert.DoesNotContain(reference, before, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal($"/track/{number}#address", confirmed.Headers.Location!.OriginalString);
        Assert.Contains("Chan Tai Man", after, StringComparison.Ordinal);
        Assert.Contains("8 Queen's Road Central", after, StringComparison.Ordinal);
        Assert.Contains("Import duties and taxes have been paid by", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirmation_attempts_are_limited_per_parcel_and_the_page_says_when_to_retry()
    {
        var api = await app.NewTenantApiAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);
        using var attacker = TrackParcels.Browser(app.BaseUrl);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await TrackParcels.ConfirmAsync(attacker, i % 2 == 0 ? parcel.LastNumber : parcel.FirstNumber, $"9999{i}"));
        }
        // The locked page has no form any more: the antiforgery token comes from another parcel's page.
        var (other, _) = await TrackParcels.ToHongKongAsync(api);
        var locked = await TrackParcels.ConfirmAsync(attacker, parcel.LastNumber, parcel.PostalCode, tokenFrom: other);
        var lockedPage = await locked.Content.ReadAsStringAsync(Ct).Decoded();
        using var buyer = TrackParcels.Browser(app.BaseUrl);
        var buyersPage = await (await buyer.GetAsync($"/track/{parcel.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.All(answers, a => Assert.EndsWith("?confirm=wrong#confirm", a.Headers.Location!.OriginalString, StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode)429, locked.StatusCode);
        var retryAfter = int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 800, 900);
        Assert.Contains("Too many wrong attempts. You can try again in 15 minutes.", lockedPage, StringComparison.Ordinal);
        Assert.DoesNotContain(parcel.BuyerName, lockedPage, StringComparison.Ordinal);
        Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("waybill_track=", StringComparison.Ordinal)));
        Assert.Contains("id=\"confirm-locked\"", buyersPage, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"confirm-code\"", buyersPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_number_answers_404_saying_which_carrier_it_looks_like()
    {
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var postal = await browser.GetAsync("/track/RB123456785GB", Ct);
        var ups = await browser.GetAsync("/track/1Z5R89390357567127", Ct);
        var typo = await browser.GetAsync("/track/1Z5R89390357567128", Ct);
        var nothing = await browser.GetAsync("/track/HELLO-WORLD", Ct);
        var german = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/track/1Z5R89390357567127?lang=de"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, postal.StatusCode);
        Assert.StartsWith("text/html", postal.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("This looks like an international postal item number from the postal service of United Kingdom.", await postal.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, ups.StatusCode);
        var upsPage = await ups.Content.ReadAsStringAsync(Ct).Decoded();
        Assert.Contains("This looks like a tracking number from UPS.", upsPage, StringComparison.Ordinal);
        Assert.Contains("it appears here with the carrier's first scan", upsPage, StringComparison.Ordinal);
        Assert.Contains("its check digit does not match", await typo.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, nothing.StatusCode);
        Assert.Contains("does not look like the tracking number of any carrier we know", await nothing.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, german.StatusCode);
        Assert.Contains("Die Nummer sieht aus wie eine Sendungsnummer von UPS.", await german.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_search_box_sends_the_normalised_number_to_its_page()
    {
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var search = await browser.GetAsync("/track", Ct);
        var found = await browser.GetAsync("/track?number=%20rb%201234%205678%205gb%20", Ct);
        var empty = await browser.GetAsync("/track?number=%20%20", Ct);
        var tooLong = await browser.GetAsync("/track?number=" + new string('A', 65), Ct);

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("<form method=\"get\" action=\"/track\"", await search.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, found.StatusCode);
        Assert.Equal("/track/RB123456785GB", found.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Enter a tracking number.", await empty.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("A tracking number has at most 64 characters.", await tooLong.Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_language_is_the_querys_then_the_browsers_then_the_buyers()
    {
        var api = await app.NewTenantApiAsync();
        var parcel = await TrackParcels.DeliveryOfficeAsync(api);

        using var noLanguage = TrackParcels.Browser(app.BaseUrl, language: null);
        using var french = TrackParcels.Browser(app.BaseUrl, language: "fr-CH");
        using var spanishByQuery = TrackParcels.Browser(app.BaseUrl, language: "fr");
        var buyers = await (await noLanguage.GetAsync($"/track/{parcel.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var browsers = await (await french.GetAsync($"/track/{parcel.LastNumber}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var query = await (await spanishByQuery.GetAsync($"/track/{parcel.LastNumber}?lang=es", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains("<html lang=\"de\"", buyers, StringComparison.Ordinal);
        Assert.Contains("Das Paket ist in der Zustellbasis in Berlin, Deutschland.", buyers, StringComparison.Ordinal);
        Assert.Contains("Freitag, 20. November 2026, 08:00 Uhr", buyers, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"fr\"", browsers, StringComparison.Ordinal);
        Assert.Contains("Le colis est au bureau de distribution local : Berlin, Allemagne.", browsers, StringComparison.Ordinal);
        Assert.Contains("vendredi 20 novembre 2026 à 08:00", browsers, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"es\"", query, StringComparison.Ordinal);
        Assert.Contains("El paquete está en la oficina de reparto local en Berlin, Alemania.", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customs_hold_asks_for_documents_and_a_pickup_says_where_and_until_when()
    {
        var api = await app.NewTenantApiAsync();
        var held = await TrackParcels.WithEventsAsync(api, "s10",
            ("EMA", "2026-11-20T08:00:00+08:00", "Shenzhen", "CN"), ("EDB", "2026-11-23T09:00:00+01:00", "Frankfurt", "DE"), ("EME", "2026-11-23T15:00:00+01:00", "Frankfurt", "DE"));
        var pickup = await TrackParcels.WithEventsAsync(api, "sbx-local-de",
            ("DO", "2026-11-24T07:00:00+01:00", "Berlin", "DE"), ("PKP", "2026-11-25T10:00:00+01:00", "Berlin", "DE"));
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var heldPage = await (await browser.GetAsync($"/track/{held}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var pickupPage = await (await browser.GetAsync($"/track/{pickup}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains("<h1 id=\"milestone\">Held by customs</h1>", heldPage, StringComparison.Ordinal);
        Assert.Contains("Customs in Germany is holding the parcel.", heldPage, StringComparison.Ordinal);
        Assert.Contains("Customs may need a document from you", heldPage, StringComparison.Ordinal);
        Assert.Contains("Import duties and taxes have been paid by", heldPage, StringComparison.Ordinal); // Build.Order is DDP
        Assert.Contains("Customs in Germany", heldPage, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"milestone\">Ready for pick-up</h1>", pickupPage, StringComparison.Ordinal);
        Assert.Contains("Arrived in Germany", pickupPage, StringComparison.Ordinal); // sent within Germany: no customs on the way
        Assert.DoesNotContain("Customs in", pickupPage, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"expected\"", pickupPage, StringComparison.Ordinal); // waiting for the buyer, not for a delivery
        // The sandbox's local carriers hold a parcel for 7 days.
        Assert.Contains("Collect it at the pick-up point in Berlin, Germany by Wednesday, December 2, 2026.", pickupPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_booked_parcel_shows_the_window_promised_at_booking_then_the_carriers_forecast()
    {
        var api = await app.NewTenantApiAsync();
        Assert.True((await api.PostJsonAsync("/v1/warehouses", Build.Warehouse())).IsSuccessStatusCode);
        var order = await (await api.PostJsonAsync("/v1/orders", Build.Order())).JsonAsync();
        var booking = await api.PostJsonAsync($"/v1/orders/{order.GetProperty("id").GetString()}/shipments", new { });
        var booked = await booking.JsonAsync();
        Assert.True(booking.IsSuccessStatusCode, booked.ToString());
        var leg = booked.GetProperty("legs")[0];
        var number = leg.GetProperty("trackingNumber").GetString()!;
        var promised = booked.GetProperty("expectedDelivery");
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        string Day(string at) => TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), berlin)
            .ToString("M", System.Globalization.CultureInfo.GetCultureInfo("en"));
        var (first, last) = (Day(promised.GetProperty("earliest").GetString()!), Day(promised.GetProperty("latest").GetString()!));
        using var browser = TrackParcels.Browser(app.BaseUrl);

        var before = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        var scan = await api.PostJsonAsync("/v1/tracking/events", new
        {
            events = new[] { TrackParcels.Event(number, leg.GetProperty("carrier").GetString()!, "PU", DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), "Shenzhen", "CN") },
        });
        Assert.Equal(1, (await scan.JsonAsync()).GetProperty("accepted").GetInt32());
        var after = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains(first == last ? first : $"{first} – {last}", before, StringComparison.Ordinal);
        Assert.Contains("The window given when the parcel was booked.", before, StringComparison.Ordinal);
        Assert.Contains("Waiting for the first scan", before, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"milestone\">Posted</h1>", after, StringComparison.Ordinal);
        Assert.Contains("Estimated from the carriers' usual transit times.", after, StringComparison.Ordinal);
        Assert.Matches("class=\"expected-window\">\\s*\\w+ \\d+", after);
    }

    [Fact]
    public async Task Where_two_sellers_use_the_same_number_the_most_recently_updated_shipment_is_shown()
    {
        var first = await app.NewTenantApiAsync();
        var second = await app.NewTenantApiAsync();
        var number = Build.S10(System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000_000, 99_999_999));
        foreach (var api in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("/v1/shipments", new { legs = new[] { new { carrier = "s10", trackingNumber = number } } })).StatusCode);
        }
        using var browser = TrackParcels.Browser(app.BaseUrl);

        await Scan(first, "EMA", "Shenzhen", "CN");
        await Task.Delay(50, Ct);
        await Scan(second, "EMD", "Frankfurt", "DE");
        var secondNewer = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();
        await Task.Delay(50, Ct);
        await Scan(first, "EMC", "Guangzhou", "CN");
        var firstNewer = await (await browser.GetAsync($"/track/{number}", Ct)).Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Contains("<h1 id=\"milestone\">Arrived in the destination country</h1>", secondNewer, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"milestone\">Left the origin country</h1>", firstNewer, StringComparison.Ordinal);
        Assert.DoesNotContain("Frankfurt", firstNewer, StringComparison.Ordinal); // one seller's parcel, not a mix of both

        async Task Scan(HttpClient api, string code, string city, string country)
        {
            var response = await api.PostJsonAsync("/v1/tracking/events", new { events = new[] { TrackParcels.Event(number, "s10", code, "2026-11-21T10:00:00+08:00", city, country) } });
            Assert.Equal(1, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        }
    }
}

public sealed class TrackPagesTestsOnSqlite(TrackServer<SqliteDatabase> app) : TrackPagesTests<SqliteDatabase>(app), IClassFixture<TrackServer<SqliteDatabase>>;

public sealed class TrackPagesTestsOnPostgres(TrackServer<PostgresDatabase> app) : TrackPagesTests<PostgresDatabase>(app), IClassFixture<TrackServer<PostgresDatabase>>;

/// <summary>
/// The tracking pages' limits, each test on a server of its own with a low limit: per client address (loopback included),
/// <c>X-Forwarded-For</c> only from a trusted proxy, the dashboard and the API untouched, bad options refused at start.
/// </summary>
public sealed class TrackLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_spoofed_forwarded_header_does_not_escape_the_limit_without_a_trusted_proxy()
    {
        await using var server = await LimitedServer.StartAsync("--track-rate-limit", "3");
        using var client = TrackParcels.Browser(server.BaseUrl);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/track/RB123456785GB");
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            answers.Add((await client.SendAsync(request, Ct)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, (HttpStatusCode)429], answers);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit()
    {
        await using var server = await LimitedServer.StartAsync("--track-rate-limit", "3", "--trusted-proxy", "10.9.8.7, 127.0.0.1");
        using var client = TrackParcels.Browser(server.BaseUrl);

        async Task<HttpStatusCode> LookUp(string? forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/track/RB123456785GB");
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }
            return (await client.SendAsync(request, Ct)).StatusCode;
        }

        var distinct = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            distinct.Add(await LookUp($"203.0.113.{i + 1}"));
        }
        var same = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            same.Add(await LookUp("198.51.100.77"));
        }
        var proxyItself = await LookUp(null);

        Assert.All(distinct, s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, (HttpStatusCode)429], same);
        Assert.Equal(HttpStatusCode.NotFound, proxyItself);
    }

    [Fact]
    public async Task The_tracking_limit_answers_429_with_retry_after_and_leaves_the_dashboard_and_the_api_alone()
    {
        await using var server = await LimitedServer.StartAsync("--track-rate-limit", "3");
        var api = await TrackPages.ApiAsync(server.BaseUrl, server.Database);
        using var client = TrackParcels.Browser(server.BaseUrl);

        var tracking = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            tracking.Add(await client.GetAsync(i == 0 ? "/track" : "/track/RB123456785GB", Ct));
        }
        var others = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            others.Add((await api.GetAsync("/v1/shipments", Ct)).StatusCode);
            others.Add((await client.GetAsync("/dashboard/sign-in", Ct)).StatusCode);
            others.Add((await client.GetAsync("/health/live", Ct)).StatusCode);
        }
        var stillLimited = await client.GetAsync("/track?number=RB123456785GB&lang=de", Ct);
        var limitedPage = await stillLimited.Content.ReadAsStringAsync(Ct).Decoded();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound, (HttpStatusCode)429], tracking.Select(t => t.StatusCode));
        var retryAfter = int.Parse(tracking[3].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains("Too many lookups", await tracking[3].Content.ReadAsStringAsync(Ct).Decoded(), StringComparison.Ordinal);
        Assert.All(others, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal((HttpStatusCode)429, stillLimited.StatusCode);
        Assert.StartsWith("text/html", stillLimited.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"de\"", limitedPage, StringComparison.Ordinal);
        Assert.Contains("Zu viele Abfragen", limitedPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--track-rate-limit", "0")]
    [InlineData("--track-rate-limit", "100001")]
    [InlineData("--track-rate-limit", "-5")]
    [InlineData("--track-rate-limit", "1.5")]
    [InlineData("--track-rate-limit", "lots")]
    [InlineData("--trusted-proxy", "proxy.example")]
    [InlineData("--trusted-proxy", "10.0.0.0/8")]
    [InlineData("--trusted-proxy", "10.0.0.1,")]
    public void A_bad_tracking_limit_option_stops_the_server_saying_what_is_wrong(string option, string value)
    {
        var directory = Path.Combine(Path.GetTempPath(), "waybill-tests", Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<ServerConfigurationException>(() => WaybillServer.Build(["--data-dir", directory, "--demo", "false", option, value]));

        Assert.StartsWith(option + " must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A server of its own (its own database) with options, for a test of the limits; stopped at the end of the test.</summary>
    private sealed class LimitedServer : IAsyncDisposable
    {
        private WebApplication _server = null!;

        public SqliteDatabase Database { get; } = new();

        public string BaseUrl { get; private set; } = "";

        public static async Task<LimitedServer> StartAsync(params string[] options)
        {
            var server = new LimitedServer();
            await server.Database.InitializeAsync();
            (server._server, server.BaseUrl) = await BrowserApp.StartServerAsync(server.Database.Storage.DataDirectory, options);
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
