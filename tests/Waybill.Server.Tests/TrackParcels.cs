using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Waybill.Orders;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>A buyer's parcel made through the real <c>/v1</c> API, with what the page must show or hide about it.</summary>
public sealed record TrackedParcel(
    string FirstNumber, string LastNumber, string Reference, string PostalCode, string BuyerName, string Email, string Phone,
    string Street, string Street2, string LineDescription, string EventDescription);

/// <summary>Builds parcels for the tracking-page tests, as a seller's system would: warehouse, order, shipment, carrier events.</summary>
internal static partial class TrackParcels
{
    /// <summary>
    /// A DAP order to Berlin (buyer in German, Europe/Berlin) shipped from a warehouse in Shenzhen, on a shipment of two
    /// legs: the post from China (posted, left China with a UTC stamp, arrived in Germany, at customs, cleared) and DPD
    /// in Germany (at the delivery office in Berlin).
    /// </summary>
    public static async Task<TrackedParcel> DeliveryOfficeAsync(HttpClient api)
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await api.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        Assert.True(warehouse.IsSuccessStatusCode, await warehouse.Content.ReadAsStringAsync(ct));
        var suffix = Unique();
        var parcel = new TrackedParcel(
            FirstNumber: Build.S10(RandomNumberGenerator.GetInt32(10_000_000, 99_999_999)),
            LastNumber: $"0{RandomNumberGenerator.GetInt32(100_000_000, 999_999_999)}{RandomNumberGenerator.GetInt32(1000, 9999)}",
            Reference: $"ORD-{suffix}",
            PostalCode: "10115",
            BuyerName: $"Anna Zyxwort {suffix}",
            Email: $"anna.{suffix}@example.com",
            Phone: "+49 30 5550199",
            Street: $"Quellweg {suffix[..4]}",
            Street2: "Hinterhaus links",
            LineDescription: $"Merino scarf {suffix}",
            EventDescription: "Sorted at depot gate 7");
        var order = await api.PostJsonAsync("/v1/orders", new OrderInput(
            parcel.Reference,
            new BuyerInput(parcel.BuyerName, parcel.Email, parcel.Phone, "de-DE", "Europe/Berlin"),
            new AddressInput(parcel.BuyerName, parcel.Street, parcel.Street2, "Berlin", null, parcel.PostalCode, "DE"),
            "DAP",
            "EUR",
            // Over EUR 150: no IOSS, so import VAT and duty are due at the door (DAP).
            [new OrderLineInput("SC-1", parcel.LineDescription, 2, 120m, "6117.10", "CN", 0.3m)]));
        var orderJson = await order.JsonAsync();
        Assert.True(order.IsSuccessStatusCode, orderJson.ToString());
        await RegisterAsync(api, orderJson.GetProperty("id").GetString(), [("s10", parcel.FirstNumber, "first_mile"), ("dpd", parcel.LastNumber, "last_mile")]);
        await IngestAsync(api,
            Event(parcel.FirstNumber, "s10", "EMA", "2026-11-20T08:00:00+08:00", "Shenzhen", "CN"),
            Event(parcel.FirstNumber, "s10", "EMC", "2026-11-21T14:10:00Z", "Guangzhou", "CN"),
            Event(parcel.FirstNumber, "s10", "EMD", "2026-11-23T06:30:00+01:00", "Frankfurt", "DE"),
            Event(parcel.FirstNumber, "s10", "EDB", "2026-11-23T09:00:00+01:00", "Frankfurt", "DE"),
            Event(parcel.FirstNumber, "s10", "EDC", "2026-11-24T11:15:00+01:00", "Frankfurt", "DE"),
            Event(parcel.LastNumber, "dpd", "Depot", "2026-11-25T07:40:00+01:00", "Berlin", "DE", parcel.EventDescription, "10117"));
        return parcel;
    }

    /// <summary>A shipment without an order (registered by number only), with one scan in Germany.</summary>
    public static async Task<string> WithoutOrderAsync(HttpClient api)
    {
        var number = Build.S10(RandomNumberGenerator.GetInt32(10_000_000, 99_999_999));
        await RegisterAsync(api, null, [("s10", number, null)]);
        await IngestAsync(api, Event(number, "s10", "EMD", "2026-11-23T06:30:00+01:00", "Frankfurt", "DE", "Arrived for Anna Zyxwort, Quellweg 5"));
        return number;
    }

    /// <summary>An order to a country without postal codes (Hong Kong): the buyer confirms with the order reference.</summary>
    public static async Task<(string Number, string Reference)> ToHongKongAsync(HttpClient api)
    {
        var reference = $"HK-{Unique()}";
        var order = await api.PostJsonAsync("/v1/orders", new OrderInput(
            reference,
            new BuyerInput("Chan Tai Man", "chan@example.com", null, "zh-HK", null),
            new AddressInput("Chan Tai Man", "8 Queen's Road Central", null, "Hong Kong", null, null, "HK"),
            "DDP",
            "HKD",
            [new OrderLineInput("TS-1", "Cotton T-shirt", 1, 100m, "6109.10", "CN", 0.2m)]));
        var orderJson = await order.JsonAsync();
        Assert.True(order.IsSuccessStatusCode, orderJson.ToString());
        var number = Build.S10(RandomNumberGenerator.GetInt32(10_000_000, 99_999_999));
        await RegisterAsync(api, orderJson.GetProperty("id").GetString(), [("s10", number, null)]);
        await IngestAsync(api, Event(number, "s10", "EMA", "2026-11-20T08:00:00+08:00", "Shenzhen", "CN"));
        return (number, reference);
    }

    /// <summary>An order with one leg of the given carrier and the given scans (code, time, city, country).</summary>
    public static async Task<string> WithEventsAsync(HttpClient api, string carrier, params (string Code, string At, string City, string Country)[] scans)
    {
        var order = await api.PostJsonAsync("/v1/orders", Build.Order());
        var orderJson = await order.JsonAsync();
        Assert.True(order.IsSuccessStatusCode, orderJson.ToString());
        var number = carrier == "s10" ? Build.S10(RandomNumberGenerator.GetInt32(10_000_000, 99_999_999)) : $"SBX{Unique().ToUpperInvariant()}";
        await RegisterAsync(api, orderJson.GetProperty("id").GetString(), [(carrier, number, null)]);
        await IngestAsync(api, [.. scans.Select(s => Event(number, carrier, s.Code, s.At, s.City, s.Country))]);
        return number;
    }

    public static object Event(string number, string carrier, string code, string at, string city, string country, string? description = null, string? postalCode = null) =>
        new { trackingNumber = number, carrier, code, description = description ?? $"{code} scan", occurredAt = at, location = new { city, postalCode, country } };

    private static async Task RegisterAsync(HttpClient api, string? orderId, (string Carrier, string Number, string? Role)[] legs)
    {
        var response = await api.PostJsonAsync("/v1/shipments", new { orderId, legs = legs.Select(l => new { carrier = l.Carrier, trackingNumber = l.Number, role = l.Role }) });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task IngestAsync(HttpClient api, params object[] events)
    {
        var response = await api.PostJsonAsync("/v1/tracking/events", new { events });
        var json = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        Assert.Equal(0, json.GetProperty("rejected").GetArrayLength());
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>A client that behaves like a browser for the pages: it keeps cookies and does not follow redirects.</summary>
    public static HttpClient Browser(string baseUrl, string? language = "en")
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(baseUrl),
        };
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        }
        return client;
    }

    /// <summary>Posts the page's confirmation form (with the antiforgery token the page gave) and answers the response.</summary>
    public static async Task<HttpResponseMessage> ConfirmAsync(HttpClient browser, string number, string code, string? tokenFrom = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await (await browser.GetAsync($"/track/{tokenFrom ?? number}", ct)).Content.ReadAsStringAsync(ct);
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "The page has no confirmation form with an antiforgery token:\n" + page);
        return await browser.PostAsync($"/track/{number}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = code,
            ["__antiforgery"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        }), ct);
    }

    /// <summary>The page's text with its character references decoded (Razor writes non-ASCII and <c>+</c> as references).</summary>
    public static async Task<string> Decoded(this Task<string> html) => WebUtility.HtmlDecode(await html);

    [GeneratedRegex("name=\"__antiforgery\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
