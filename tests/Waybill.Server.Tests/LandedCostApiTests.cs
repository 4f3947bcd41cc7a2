using System.Net;
using System.Text;
using System.Text.Json;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>POST /v1/landed-cost/quotes, the tenant's scheme registrations, and the landed cost kept on orders.</summary>
public abstract class LandedCostApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static object Quote(string to = "DE", string date = "2026-12-04", string hsCode = "6109.10", decimal unitValue = 20m, int quantity = 2, string currency = "EUR") => new
    {
        from = "CN",
        to,
        date,
        mode = "postal",
        incoterm = "DAP",
        currency,
        shipping = 4.90m,
        lines = new[] { new { hsCode, originCountry = "CN", description = "Cotton T-shirt", quantity, unitValue, weightKg = 0.2m } },
    };

    [Fact]
    public async Task A_quote_answers_every_amount_in_the_destination_s_currency_with_the_rule_of_each_charge()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/landed-cost/quotes", Quote());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var quote = await response.JsonAsync();
        Assert.Equal("EUR", quote.GetProperty("currency").GetString());
        Assert.Equal(40m, quote.GetProperty("goods").GetDecimal());
        Assert.Equal(4.90m, quote.GetProperty("shipping").GetDecimal());
        Assert.Equal(3.00m, quote.GetProperty("duty").GetDecimal()); // EUR 3 per item category since 2026-07-01
        Assert.Equal(8.53m, quote.GetProperty("tax").GetDecimal()); // 19% of 44.90 at checkout
        Assert.Equal(0m, quote.GetProperty("fees").GetDecimal());
        Assert.Equal(56.43m, quote.GetProperty("total").GetDecimal());
        Assert.Equal("IOSS", quote.GetProperty("scheme").GetString());
        Assert.Equal("checkout", quote.GetProperty("collectedAt").GetString());
        Assert.Equal("CN22", quote.GetProperty("form").GetString());
        var charges = quote.GetProperty("charges").EnumerateArray().ToList();
        Assert.Equal(quote.GetProperty("total").GetDecimal(), charges.Sum(c => c.GetProperty("amount").GetDecimal()));
        var duty = charges.Single(c => c.GetProperty("kind").GetString() == "duty");
        Assert.Contains("2026-07-01", duty.GetProperty("rule").GetString(), StringComparison.Ordinal);
        Assert.Contains("Reg. (EU) 2026/382", duty.GetProperty("rule").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The endpoint's three ways of reading a body (the fast scanner for the canonical form, the one-pass reader and
    /// the source-generated reader) give the same answer, byte for byte, and the fast way uses the tenant's settings.
    /// </summary>
    [Fact]
    public async Task A_quote_is_the_same_whichever_way_its_body_is_read()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        const string Canonical = """{"from": "CN", "to": "DE", "date": "2026-12-04", "incoterm": "DAP", "currency": "EUR", "shipping": 4.90, "lines": [{"hsCode": "610910", "originCountry": "CN", "description": "Cotton T-shirt", "quantity": 2, "unitValue": 20, "weightKg": 0.2}, {"hsCode": "69120010", "originCountry": "CN", "quantity": 1, "unitValue": 8.5, "weightKg": 0.4}]}""";
        string[] others =
        [
            Canonical.Replace("\"DE\"", "\"de\"", StringComparison.Ordinal).Replace("\"610910\"", "\"6109.10\"", StringComparison.Ordinal), // one pass, then checked
            Canonical.Replace("\"from\"", "\"note\": {\"gift\": true}, \"from\"", StringComparison.Ordinal), // an unknown field: the generated reader
            Canonical.Replace("\"Cotton T-shirt\"", "\"Cotton T-shirt \\u2013 white\"", StringComparison.Ordinal), // an escape in a string
        ];

        async Task<string> AnswerAsync(string body)
        {
            var response = await client.PostAsync("/v1/landed-cost/quotes", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return text;
        }

        var expected = await AnswerAsync(Canonical);
        Assert.Contains("\"scheme\":\"IOSS\"", expected, StringComparison.Ordinal);
        foreach (var body in others)
        {
            Assert.Equal(expected, await AnswerAsync(body));
        }

        // Sent without a declared length where the client allows (chunked), in two pieces with a pause between them: read to its end all the same.
        var pieces = new PiecewiseContent(Encoding.UTF8.GetBytes(Canonical));
        var chunked = await client.PostAsync("/v1/landed-cost/quotes", pieces, TestContext.Current.CancellationToken);
        Assert.Equal(expected, await chunked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var patched = await client.PatchAsync("/v1/settings", new StringContent("""{"schemes": {"IOSS": {"registered": false}}}""", Encoding.UTF8, "application/merge-patch+json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var withoutIoss = await AnswerAsync(Canonical);
        Assert.Contains("\"scheme\":null", withoutIoss, StringComparison.Ordinal);
        Assert.Equal(withoutIoss, await AnswerAsync(others[0]));
    }

    [Fact]
    public async Task A_seller_who_leaves_ioss_gets_import_vat_at_delivery_at_once()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        Assert.Equal("IOSS", (await (await client.PostJsonAsync("/v1/landed-cost/quotes", Quote())).JsonAsync()).GetProperty("scheme").GetString());

        var patched = await client.PatchAsync("/v1/settings", new StringContent("""{"schemes": {"IOSS": {"registered": false}}}""", Encoding.UTF8, "application/merge-patch+json"), TestContext.Current.CancellationToken);
        var quote = await (await client.PostJsonAsync("/v1/landed-cost/quotes", Quote())).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(JsonValueKind.Null, quote.GetProperty("scheme").ValueKind);
        Assert.Equal("delivery", quote.GetProperty("collectedAt").GetString());
    }

    [Fact]
    public async Task Bad_requests_are_named_field_by_field_and_refusals_say_why()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var invalid = await client.PostRawAsync("/v1/landed-cost/quotes", """{"from": "CN", "to": "XX", "incoterm": "FOB", "currency": "EUR", "shipping": 1, "lines": []}""");
        var unknown = await client.PostJsonAsync("/v1/landed-cost/quotes", Quote(hsCode: "9999.99"));
        var embargoed = await client.PostJsonAsync("/v1/landed-cost/quotes", Quote(to: "KP"));
        var notJson = await client.PostRawAsync("/v1/landed-cost/quotes", "{");
        var wrongType = await client.PostRawAsync("/v1/landed-cost/quotes", """{"from": "CN", "to": "DE", "incoterm": "DAP", "currency": "EUR", "shipping": "1", "lines": []}""");
        var empty = await client.PostRawAsync("/v1/landed-cost/quotes", "");
        var plainText = await client.PostAsync("/v1/landed-cost/quotes", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        // Over the endpoint's 1 MB limit (a field padded past it): refused before it is parsed.
        var oversized = await client.PostRawAsync("/v1/landed-cost/quotes", "{\"from\": \"CN\", \"to\": \"DE\", \"note\": \"" + new string('x', (1 << 20) + 1) + "\"}");

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.JsonAsync();
        Assert.Equal("customs.quote_invalid", problem.Code());
        Assert.Equal(["incoterm", "lines", "to"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("customs.hs_code_unknown", (await unknown.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, embargoed.StatusCode);
        Assert.Equal("customs.embargoed", (await embargoed.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("request.malformed_json", (await notJson.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var typeProblem = await wrongType.JsonAsync();
        Assert.Equal("request.malformed_json", typeProblem.Code());
        Assert.True(typeProblem.GetProperty("errors").TryGetProperty("shipping", out _), typeProblem.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("request.invalid", (await empty.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainText.StatusCode);
        Assert.Equal("request.unsupported_media_type", (await plainText.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal("request.too_large", (await oversized.JsonAsync()).Code());
    }

    [Fact]
    public async Task Goods_the_destination_prohibits_are_refused_naming_the_line()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/landed-cost/quotes", Quote(to: "SG", hsCode: "1704.10", currency: "SGD"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("customs.prohibited_goods", problem.Code());
        Assert.Contains("lines[0]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[0].hsCode", out _));
    }

    [Fact]
    public async Task An_order_shows_a_provisional_landed_cost_that_booking_makes_final_for_ddp()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var input = Build.Order("LC-1") with { ShippingPrice = 4.90m };

        var created = await client.PostJsonAsync("/v1/orders", input);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var order = await created.JsonAsync();
        var provisional = order.GetProperty("landedCost");
        Assert.False(provisional.GetProperty("final").GetBoolean());
        Assert.Equal("CN", provisional.GetProperty("from").GetString());
        Assert.Equal(4.90m, order.GetProperty("shippingPrice").GetDecimal());
        Assert.Equal(4.90m, provisional.GetProperty("quote").GetProperty("shipping").GetDecimal());
        Assert.Equal("IOSS", provisional.GetProperty("quote").GetProperty("scheme").GetString());

        var id = order.GetProperty("id").GetString();
        var booked = await client.PostJsonAsync($"/v1/orders/{id}/shipments", new BookingInput("fastest"));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var final = (await (await client.GetAsync($"/v1/orders/{id}", TestContext.Current.CancellationToken)).JsonAsync()).GetProperty("landedCost");

        Assert.True(final.GetProperty("final").GetBoolean());
        Assert.Equal("courier", final.GetProperty("mode").GetString()); // the fastest route is an express service
        Assert.Equal("commercial_invoice", final.GetProperty("quote").GetProperty("form").GetString());
    }

    [Fact]
    public async Task An_order_to_an_embargoed_country_is_refused_and_one_without_a_known_origin_has_no_landed_cost_yet()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var noWarehouse = await client.PostJsonAsync("/v1/orders", Build.Order("LC-2"));
        await client.PostJsonAsync("/v1/warehouses", Build.Warehouse());
        var embargoed = await client.PostJsonAsync("/v1/orders", Build.Order("LC-3", country: "KP", postalCode: null));
        var badShipping = await client.PostJsonAsync("/v1/orders", Build.Order("LC-4") with { ShippingPrice = -1m });

        Assert.Equal(HttpStatusCode.Created, noWarehouse.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await noWarehouse.JsonAsync()).GetProperty("landedCost").ValueKind);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, embargoed.StatusCode);
        Assert.Equal("customs.embargoed", (await embargoed.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.BadRequest, badShipping.StatusCode);
        Assert.True((await badShipping.JsonAsync()).GetProperty("errors").TryGetProperty("shippingPrice", out _));
    }

    [Fact]
    public async Task The_liveness_endpoint_answers_without_work_or_a_key()
    {
        var (anonymous, _, _) = await app.NewTenantClientAsync();
        anonymous.DefaultRequestHeaders.Authorization = null;

        var response = await anonymous.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("live", (await response.JsonAsync()).GetProperty("status").GetString());
    }
}

public sealed class LandedCostApiTestsOnSqlite(SqliteApp app) : LandedCostApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class LandedCostApiTestsOnPostgres(PostgresApp app) : LandedCostApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;

/// <summary>A JSON body sent in two writes with a pause between them, with no length declared (chunked).</summary>
internal sealed class PiecewiseContent : HttpContent
{
    private readonly byte[] _body;

    public PiecewiseContent(byte[] body)
    {
        _body = body;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var half = _body.Length / 2;
        await stream.WriteAsync(_body.AsMemory(0, half));
        await stream.FlushAsync();
        await Task.Delay(50);
        await stream.WriteAsync(_body.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
