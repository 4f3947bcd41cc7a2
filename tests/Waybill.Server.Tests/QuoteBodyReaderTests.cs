using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Common;
using Waybill.Customs;
using Waybill.Server;
using Waybill.Tenancy;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>
/// The quote endpoint's fast reader reads the ordinary body exactly as the source-generated reader does, and leaves
/// everything else to it (so the API accepts and refuses the same bodies, with the same messages).
/// </summary>
public sealed class QuoteBodyReaderTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("""{"from": "CN", "to": "DE", "date": "2026-03-02", "mode": "courier", "incoterm": "DDP", "currency": "EUR", "shipping": 4.5, "insurance": 1, "lines": [{"hsCode": "6109.10", "originCountry": "CN", "description": "T-shirt", "quantity": 2, "unitValue": 12.5, "weightKg": 0.2}]}""")]
    [InlineData("""{"lines": [{"hsCode": "691200", "originCountry": "CN", "quantity": 1, "unitValue": 10, "weightKg": 0.3}, null, {"description": "é ×"}], "shipping": null, "from": "US", "to": "GB", "incoterm": "DAP", "currency": "USD"}""")]
    [InlineData("""{"from": "CN", "from": "VN", "lines": null}""")]
    [InlineData("""{}""")]
    public void An_ordinary_body_reads_as_the_generated_reader_reads_it(string body)
    {
        Assert.True(QuoteBodyReader.TryRead(Bytes(body), out var fast));

        var full = JsonSerializer.Deserialize(body, LandedCostJson.Default.QuoteBody)!.ToInput();
        Assert.Equal(JsonSerializer.Serialize(full, Web), JsonSerializer.Serialize(fast, Web));
    }

    [Theory]
    [InlineData("""{"From": "CN"}""")]
    [InlineData("""{"from": "CN", "colour": "red"}""")]
    [InlineData("""{"shipping": "1"}""")]
    [InlineData("""{"lines": [{"quantity": "2"}]}""")]
    [InlineData("""{"lines": [{"hsCode": 610910}]}""")]
    [InlineData("""{"lines": {}}""")]
    [InlineData("""{"shipping": 1e400}""")]
    [InlineData("""{"from": "CN",}""")]
    [InlineData("""{"from": "CN"} x""")]
    [InlineData("""[]""")]
    [InlineData("""{""")]
    public void Anything_else_is_left_to_the_generated_reader(string body)
    {
        Assert.False(QuoteBodyReader.TryRead(Bytes(body), out _));
    }

    private static readonly QuoteLandedCost.Context Quoting = new(new DateOnly(2026, 12, 4), SchemeRegistrations.Defaults);

    private const string Valid = """{"from": "CN", "to": "DE", "date": "2026-03-02", "mode": "courier", "incoterm": "DDP", "currency": "EUR", "shipping": 4.50, "insurance": 1, "lines": [{"hsCode": "610910", "originCountry": "CN", "description": "T-shirt", "quantity": 2, "unitValue": 12.5, "weightKg": 0.2}]}""";

    [Theory]
    [InlineData(Valid)]
    [InlineData("""{"lines": [{"weightKg": 1, "unitValue": 0, "quantity": 100000, "originCountry": "VN", "hsCode": "8517130000"}], "currency": "JPY", "shipping": 0, "incoterm": "DAP", "to": "JP", "from": "US"}""")]
    [InlineData("""{"from": "CN", "to": "GB", "date": null, "mode": null, "insurance": null, "incoterm": "DAP", "currency": "GBP", "shipping": 1, "lines": [{"hsCode": "691200", "originCountry": "CN", "description": null, "quantity": 1.0, "unitValue": 3, "weightKg": 1000}, {"hsCode": "61091000", "originCountry": "CN", "description": "café ×", "quantity": 3, "unitValue": 0.01, "weightKg": 0.001}]}""")]
    [InlineData("""{"from": "US", "to": "KW", "incoterm": "DDP", "currency": "KWD", "shipping": 1000000000.000, "insurance": 0.125, "lines": [{"hsCode": "851713", "originCountry": "US", "quantity": 2.000, "unitValue": 999999999.999, "weightKg": 0.000001}]}""")]
    public void A_valid_ordinary_body_reads_into_the_request_the_general_path_checks(string body)
    {
        Assert.True(QuoteBodyReader.TryReadValid(Bytes(body), Quoting, out var fast));
        Assert.Equal(Describe(General(body).Value), Describe(fast));
        Assert.Same(Quoting.Registered, fast.RegisteredSchemes);
    }

    [Theory]
    [InlineData("from", "\"cn\"")]
    [InlineData("from", "\" CN\"")]
    [InlineData("to", "\"XX\"")]
    [InlineData("to", "null")]
    [InlineData("date", "\"2026-02-30\"")]
    [InlineData("date", "\"2026-2-03\"")]
    [InlineData("date", "\"0000-01-01\"")]
    [InlineData("mode", "\"Courier\"")]
    [InlineData("mode", "\"air\"")]
    [InlineData("incoterm", "\"ddp\"")]
    [InlineData("incoterm", "null")]
    [InlineData("currency", "\"XYZ\"")]
    [InlineData("currency", "\"eur\"")]
    [InlineData("currency", "\"DEM\"")]
    [InlineData("shipping", "-1")]
    [InlineData("shipping", "1.234")]
    [InlineData("shipping", "null")]
    [InlineData("shipping", "\"1\"")]
    [InlineData("insurance", "1000000001")]
    [InlineData("lines", "[]")]
    [InlineData("lines", "null")]
    [InlineData("lines", "[null]")]
    [InlineData("colour", "\"red\"")]
    public void Anything_else_at_the_top_goes_the_general_way(string field, string value)
    {
        var body = JsonNode.Parse(Valid)!.AsObject();
        body[field] = JsonNode.Parse(value);
        AssertGeneralWay(body.ToJsonString());
    }

    [Theory]
    [InlineData("hsCode", "\"6109.10\"")]
    [InlineData("hsCode", "\"999999\"")]
    [InlineData("hsCode", "\"61091\"")]
    [InlineData("hsCode", "\"61091000001\"")]
    [InlineData("hsCode", "610910")]
    [InlineData("originCountry", "\"cn\"")]
    [InlineData("quantity", "1.5")]
    [InlineData("quantity", "0")]
    [InlineData("quantity", "100001")]
    [InlineData("quantity", "null")]
    [InlineData("unitValue", "12.345")]
    [InlineData("unitValue", "-0.01")]
    [InlineData("weightKg", "0")]
    [InlineData("weightKg", "1000.001")]
    [InlineData("weightKg", "0.0000001")] // valid, but finer than the scanner's six decimals
    [InlineData("weightKg", "0.1234567")]
    [InlineData("quantity", "2.5000")]
    [InlineData("unitValue", "1000000000.01")]
    [InlineData("unitValue", "12.5000001")]
    [InlineData("weightKg", "null")]
    [InlineData("description", "1")]
    [InlineData("colour", "\"red\"")]
    public void Anything_else_in_a_line_goes_the_general_way(string field, string value)
    {
        var body = JsonNode.Parse(Valid)!.AsObject();
        body["lines"]![0]![field] = JsonNode.Parse(value);
        AssertGeneralWay(body.ToJsonString());
    }

    [Fact]
    public void A_missing_field_a_repeated_one_a_long_description_or_many_lines_go_the_general_way()
    {
        foreach (var field in new[] { "from", "to", "incoterm", "currency", "shipping", "lines" })
        {
            var body = JsonNode.Parse(Valid)!.AsObject();
            body.Remove(field);
            AssertGeneralWay(body.ToJsonString());
        }
        foreach (var field in new[] { "hsCode", "originCountry", "quantity", "unitValue", "weightKg" })
        {
            var body = JsonNode.Parse(Valid)!.AsObject();
            body["lines"]![0]!.AsObject().Remove(field);
            AssertGeneralWay(body.ToJsonString());
        }
        AssertGeneralWay(Valid.Replace("\"from\": \"CN\"", "\"from\": \"CN\", \"from\": \"VN\"", StringComparison.Ordinal));
        AssertGeneralWay(Valid.Replace("\"from\": \"CN\"", "\"from\": \"\\u0043N\"", StringComparison.Ordinal));
        AssertGeneralWay(Valid.Replace("T-shirt", new string('x', 201), StringComparison.Ordinal));

        var many = JsonNode.Parse(Valid)!.AsObject();
        var line = many["lines"]![0]!.ToJsonString();
        many["lines"] = JsonNode.Parse("[" + string.Join(',', Enumerable.Repeat(line, QuoteBodyReader.ValidFastLines + 1)) + "]");
        AssertGeneralWay(many.ToJsonString());
        many["lines"] = JsonNode.Parse("[" + string.Join(',', Enumerable.Repeat(line, QuoteBodyReader.ValidFastLines)) + "]");
        Assert.True(QuoteBodyReader.TryReadValid(Bytes(many.ToJsonString()), Quoting, out var most));
        Assert.Equal(Describe(General(many.ToJsonString()).Value), Describe(most));
    }

    /// <summary>
    /// Random requests to every destination, on random dates, with random changes (some valid, most not): whenever the
    /// fast reader answers, the general path accepts the body with the same request; when it declines a body written in
    /// the canonical form that the general path accepts, that is a failure too (the fast path would be dead).
    /// </summary>
    [Fact]
    public void On_random_bodies_the_fast_reader_agrees_with_the_general_path()
    {
        var random = new Random(11);
        var subheadings = HsNomenclature.Default.Subheadings.Select(s => s.Digits).ToArray();
        string[] countries = ["CN", "US", "GB", "DE", "JP", "FR", "AU", "CA", "BR", "KP", "CH", "NO", "IN"];
        string[] badCountries = ["xx", "de", "ZZ", " DE"];
        string[] currencies = ["EUR", "USD", "GBP", "JPY", "KWD", "CHF"];
        string[] badCurrencies = ["eur", "XXX"];
        string[] hs = ["610910", "851713", "691200", "6109.10", "999999", "61091000", "8517130000", "12345"];
        string Pick(string[] valid, string[] invalid) => random.Next(12) == 0 ? invalid[random.Next(invalid.Length)] : valid[random.Next(valid.Length)];
        int fast = 0, general = 0;
        for (var n = 0; n < 4000; n++)
        {
            var lines = new JsonArray();
            for (var i = random.Next(0, 5); i > 0; i--)
            {
                lines.Add(new JsonObject
                {
                    ["hsCode"] = random.Next(6) == 0 ? hs[random.Next(hs.Length)] : subheadings[random.Next(subheadings.Length)],
                    ["originCountry"] = Pick(countries, badCountries),
                    ["description"] = "goods",
                    ["quantity"] = JsonValue.Create(random.Next(12) == 0 ? 1.5m : random.Next(0, 6)),
                    ["unitValue"] = JsonValue.Create(Math.Round((decimal)random.NextDouble() * 300, random.Next(0, 4))),
                    ["weightKg"] = JsonValue.Create(Math.Round((decimal)random.NextDouble() * 3, 2)),
                });
            }
            var body = new JsonObject
            {
                ["from"] = Pick(countries, badCountries),
                ["to"] = Pick(countries, badCountries),
                ["date"] = random.Next(5) == 0 ? null : new DateOnly(2024, 1, 1).AddDays(random.Next(0, 1800)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["mode"] = random.Next(3) switch { 0 => "postal", 1 => "courier", _ => null },
                ["incoterm"] = random.Next(9) switch { 0 => "dap", var k => k % 2 == 0 ? "DDP" : "DAP" },
                ["currency"] = Pick(currencies, badCurrencies),
                ["shipping"] = JsonValue.Create(Math.Round((decimal)random.NextDouble() * 30, random.Next(0, 4))),
                ["insurance"] = random.Next(3) == 0 ? JsonValue.Create(2.5m) : null,
                ["lines"] = lines,
            };
            var text = body.ToJsonString();
            var checkedRequest = General(text);
            if (QuoteBodyReader.TryReadValid(Bytes(text), Quoting, out var read))
            {
                fast++;
                Assert.True(checkedRequest.IsSuccess, text);
                Assert.Equal(Describe(checkedRequest.Value), Describe(read));
            }
            else if (checkedRequest.IsSuccess)
            {
                general++;
                Assert.True(text.Contains("\"dap\"", StringComparison.Ordinal) || text.Contains("\"eur\"", StringComparison.Ordinal)
                    || text.Contains("\"de\"", StringComparison.Ordinal) || text.Contains("\" DE\"", StringComparison.Ordinal)
                    || text.Contains("6109.10", StringComparison.Ordinal), text);
            }
        }
        Assert.True(fast > 400, $"only {fast} bodies read the fast way");
        Assert.True(general > 20, $"only {general} valid bodies went the general way");
    }

    [Fact]
    public void Any_json_whitespace_between_tokens_is_read()
    {
        var spaced = Valid.Replace(" ", "\t\r\n  ", StringComparison.Ordinal).Replace("{", " {\n", StringComparison.Ordinal).Replace("}", "\n} ", StringComparison.Ordinal);
        Assert.True(QuoteBodyReader.TryReadValid(Bytes(spaced), Quoting, out var fast));
        Assert.Equal(Describe(General(Valid).Value), Describe(fast));
    }

    /// <summary>JSON the small scanner does not read, whether the general reader accepts it or refuses it.</summary>
    [Theory]
    [InlineData("\"shipping\": 4.50", "\"shipping\": 4.50,")] // a trailing comma
    [InlineData("\"shipping\": 4.50,", "\"shipping\": 4.50")] // a missing comma
    [InlineData("\"shipping\": 4.50", "\"shipping\": 04.50")] // a leading zero
    [InlineData("\"shipping\": 4.50", "\"shipping\": 4.")]
    [InlineData("\"shipping\": 4.50", "\"shipping\": .5")]
    [InlineData("\"shipping\": 4.50", "\"shipping\": 45e-1")]
    [InlineData("\"shipping\": 4.50", "\"shipping\": -0")]
    [InlineData("\"shipping\": 4.50", "\"shipping\": 1234567890.123456789")] // more digits than the scanner reads
    [InlineData("\"shipping\": 4.50", "\"shipping\": 4.50 /* note */")]
    [InlineData("\"shipping\": 4.50", "'shipping': 4.50")]
    [InlineData("\"shipping\": 4.50", "\"shipping\": nul")]
    [InlineData("\"T-shirt\"", "\"T-\\\"shirt\\\"\"")] // an escaped quote in the description
    [InlineData("\"T-shirt\"", "\"T-shirt\\u00e9\"")]
    [InlineData("\"T-shirt\"", "\"T-shirt\t\"")] // a raw control character
    [InlineData("\"T-shirt\"", "\"T-shirt")]
    [InlineData("\"CN\", \"to\"", "\"CN\" \"to\"")]
    public void Json_the_scanner_does_not_read_goes_the_general_way(string part, string replacement)
    {
        var body = Valid.Replace(part, replacement, StringComparison.Ordinal);
        Assert.NotEqual(Valid, body);
        AssertGeneralWay(body);
    }

    [Fact]
    public void A_byte_order_mark_invalid_utf8_or_trailing_bytes_go_the_general_way()
    {
        var valid = Encoding.UTF8.GetBytes(Valid);
        Assert.True(QuoteBodyReader.TryReadValid(new ReadOnlySequence<byte>(valid), Quoting, out _));
        Assert.False(QuoteBodyReader.TryReadValid(new ReadOnlySequence<byte>([0xEF, 0xBB, 0xBF, .. valid]), Quoting, out _));
        Assert.False(QuoteBodyReader.TryReadValid(new ReadOnlySequence<byte>([.. valid, (byte)'x']), Quoting, out _));
        var broken = Encoding.UTF8.GetBytes(Valid.Replace("T-shirt", "T-shirt\u00FF", StringComparison.Ordinal));
        broken[Array.IndexOf(broken, (byte)0xC3)] = 0xFF; // the lead byte of ÿ replaced: not UTF-8
        Assert.False(QuoteBodyReader.TryReadValid(new ReadOnlySequence<byte>(broken), Quoting, out _));
        Assert.True(QuoteBodyReader.TryReadValid(new ReadOnlySequence<byte>([.. valid, (byte)' ', (byte)'\n']), Quoting, out _));
    }

    private static void AssertGeneralWay(string body) => Assert.False(QuoteBodyReader.TryReadValid(Bytes(body), Quoting, out _), body);

    /// <summary>The general path: the source-generated reader, then the checks of <see cref="QuoteLandedCost.Validate"/>.</summary>
    private static Result<QuoteRequest> General(string body) =>
        QuoteLandedCost.Validate(JsonSerializer.Deserialize(body, LandedCostJson.Default.QuoteBody)!.ToInput(), Quoting.Today, Quoting.Registered);

    /// <summary>
    /// Every value of a request, decimals with their scale (4.50 is not written as 4.5), and the calculator's forms of the
    /// amounts (micros), which the fast reader works out from the digits and a checked request from the decimals.
    /// </summary>
    private static string Describe(QuoteRequest request) => string.Join(" | ",
        [request.From.Value, request.To.Value, request.Date.ToString("O", CultureInfo.InvariantCulture), request.Mode.ToString(), request.Incoterm.ToString(),
            $"{request.Currency.Code}/{request.Currency.MinorUnits}", $"{Invariant(request.Shipping)} ({request.ShippingMicros})",
            $"{Invariant(request.Insurance)} ({request.InsuranceMicros})",
            .. request.Lines.Select(l => $"{l.HsCode.Digits} {l.Subheading} {l.Origin.Value} {l.Quantity} {Invariant(l.UnitValue)} ({l.UnitValueMicros}) "
                + $"{Invariant(l.UnitWeightKg)} ({l.UnitWeightMicros})")]);

    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static ReadOnlySequence<byte> Bytes(string body) => new(Encoding.UTF8.GetBytes(body));
}
