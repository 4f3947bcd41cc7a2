using System.Globalization;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Orders;

/// <summary>The rules of the orders API, checked through <see cref="ValidateOrder"/> without a database.</summary>
public sealed class OrderValidationTests
{
    // ---- lines -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_order_without_lines_is_refused(bool linesAreNull)
    {
        var order = Build.Order() with { Lines = linesAreNull ? null : [] };

        AssertRefusedOnlyAt("lines", order);
    }

    [Fact]
    public void A_line_that_is_null_is_refused_at_its_index()
    {
        var order = Build.Order() with { Lines = [Build.Line(), null!] };

        AssertRefusedOnlyAt("lines[1]", order);
    }

    [Fact]
    public void More_than_a_thousand_lines_are_refused_and_a_thousand_are_accepted()
    {
        var line = Build.Line();

        AssertRefusedOnlyAt("lines", Build.Order() with { Lines = Enumerable.Repeat(line, ValidateOrder.MaxLines + 1).ToList() });
        Assert.Equal(ValidateOrder.MaxLines, Valid(Build.Order() with { Lines = Enumerable.Repeat(line, ValidateOrder.MaxLines).ToList() }).Lines.Count);
    }

    [Fact]
    public void A_wrong_field_on_the_second_line_is_reported_at_that_lines_index()
    {
        var order = Build.Order(lines: [Build.Line(), Build.Line(quantity: 0)]);

        AssertRefusedOnlyAt("lines[1].quantity", order);
    }

    // ---- quantity ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("0.999")]
    [InlineData("1000001")]
    public void A_quantity_that_is_not_a_whole_number_greater_than_zero_is_refused(string quantity)
    {
        AssertRefusedOnlyAt("lines[0].quantity", WithLine(Build.Line() with { Quantity = Dec(quantity) }));
    }

    [Fact]
    public void A_missing_quantity_is_refused()
    {
        AssertRefusedOnlyAt("lines[0].quantity", WithLine(Build.Line() with { Quantity = null }));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2.0", 2)]
    [InlineData("1000000", 1_000_000)]
    public void A_whole_quantity_greater_than_zero_is_accepted(string quantity, int expected)
    {
        var order = Valid(WithLine(Build.Line() with { Quantity = Dec(quantity) }));

        Assert.Equal(expected, order.Lines[0].Quantity);
    }

    // ---- unit price --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("-0.01")]
    [InlineData("-1")]
    [InlineData("1.23456")]
    [InlineData("0.00001")]
    [InlineData("1000000000.01")]
    public void A_negative_unit_price_or_one_with_more_than_four_decimals_is_refused(string unitPrice)
    {
        AssertRefusedOnlyAt("lines[0].unitPrice", WithLine(Build.Line() with { UnitPrice = Dec(unitPrice) }));
    }

    [Fact]
    public void A_missing_unit_price_is_refused()
    {
        AssertRefusedOnlyAt("lines[0].unitPrice", WithLine(Build.Line() with { UnitPrice = null }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("12.5")]
    [InlineData("1.2345")]
    [InlineData("1.23450")]
    [InlineData("1000000000")]
    public void A_unit_price_of_zero_or_more_with_at_most_four_decimals_is_accepted(string unitPrice)
    {
        var order = Valid(WithLine(Build.Line() with { UnitPrice = Dec(unitPrice) }));

        Assert.Equal(Dec(unitPrice), order.Lines[0].UnitPrice);
    }

    // ---- currency ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("EUR", "EUR", 2)]
    [InlineData("jpy", "JPY", 0)]
    [InlineData(" kwd ", "KWD", 3)]
    public void An_iso_4217_currency_in_circulation_is_accepted_in_any_case(string currency, string code, int minorUnits)
    {
        var order = Valid(Build.Order() with { Currency = currency });

        Assert.Equal(code, order.Currency.Code);
        Assert.Equal(minorUnits, order.Currency.MinorUnits);
    }

    [Theory]
    [InlineData("EURO")]
    [InlineData("EU")]
    [InlineData("XXX")] // no currency involved
    [InlineData("XAU")] // gold, not money an order is priced in
    [InlineData("BGN")] // withdrawn 2026-01-01: Bulgaria adopted the euro
    [InlineData("ANG")] // withdrawn 2025-03-31: replaced by XCG
    [InlineData("")]
    [InlineData(null)]
    public void A_currency_that_is_not_an_iso_4217_code_in_circulation_is_refused(string? currency)
    {
        AssertRefusedOnlyAt("currency", Build.Order() with { Currency = currency });
    }

    // ---- countries ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("XX")]
    [InlineData("DEU")]
    [InlineData("D")]
    [InlineData("")]
    [InlineData(null)]
    public void A_ship_to_country_that_is_not_iso_3166_alpha_2_is_refused(string? country)
    {
        AssertRefusedOnlyAt("shipTo.country", Build.Order() with { ShipTo = Build.Order().ShipTo! with { Country = country } });
    }

    [Theory]
    [InlineData("DE")]
    [InlineData("de")]
    [InlineData(" De ")]
    public void A_ship_to_country_is_accepted_in_any_case_and_stored_upper_case(string country)
    {
        var order = Valid(Build.Order() with { ShipTo = Build.Order().ShipTo! with { Country = country } });

        Assert.Equal("DE", order.ShipToCountry.Value);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("DEU")]
    [InlineData("CHN")]
    [InlineData("")]
    [InlineData(null)]
    public void An_origin_country_that_is_not_iso_3166_alpha_2_is_refused(string? country)
    {
        AssertRefusedOnlyAt("lines[0].originCountry", WithLine(Build.Line() with { OriginCountry = country }));
    }

    [Theory]
    [InlineData("CN", "CN")]
    [InlineData("vn", "VN")]
    [InlineData("XK", "XK")]
    public void An_iso_3166_origin_country_is_accepted(string country, string expected)
    {
        var order = Valid(WithLine(Build.Line() with { OriginCountry = country }));

        Assert.Equal(expected, order.Lines[0].OriginCountry.Value);
    }

    // ---- buyer email -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("anna")]
    [InlineData("anna@")]
    [InlineData("@example.com")]
    [InlineData("anna@example")]
    [InlineData("anna@@example.com")]
    [InlineData("anna@bob@example.com")]
    [InlineData("anna schmidt@example.com")]
    [InlineData("anna@exam ple.com")]
    [InlineData("anna@-example.com")]
    [InlineData("anna@example-.com")]
    [InlineData("anna@example..com")]
    [InlineData("anna@.example.com")]
    [InlineData("anna@example.com.")]
    [InlineData("anna@exämple.com")]
    [InlineData("anna(at)example.com")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_malformed_email_is_refused(string? email)
    {
        AssertRefusedOnlyAt("buyer.email", WithBuyer(b => b with { Email = email }));
    }

    // RFC 5322 dot-atom (the type's comment promises a subset of it): no leading, trailing or doubled dot.
    [Theory]
    [InlineData(".anna@example.com")]
    [InlineData("anna.@example.com")]
    [InlineData("an..na@example.com")]
    public void An_email_whose_local_part_has_a_leading_trailing_or_doubled_dot_is_refused(string email)
    {
        AssertRefusedOnlyAt("buyer.email", WithBuyer(b => b with { Email = email }));
    }

    [Fact]
    public void An_email_longer_than_254_characters_is_refused()
    {
        var email = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 3)) + ".example.com";
        Assert.True(email.Length > 254);

        AssertRefusedOnlyAt("buyer.email", WithBuyer(b => b with { Email = email }));
    }

    [Theory]
    [InlineData("a.b+tag@example.co.uk", "a.b+tag@example.co.uk")]
    [InlineData("anna@example.com", "anna@example.com")]
    [InlineData(" o'brien@mail-1.example.ie ", "o'brien@mail-1.example.ie")]
    public void A_well_formed_email_is_accepted_and_trimmed(string email, string expected)
    {
        var order = Valid(WithBuyer(b => b with { Email = email }));

        Assert.Equal(expected, order.BuyerEmail.Value);
    }

    // ---- HS code -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("6109.10", "610910")]
    [InlineData("6109 10 00", "61091000")]
    [InlineData("8517130000", "8517130000")]
    [InlineData("8517.13.00.00", "8517130000")]
    public void An_hs_code_of_six_to_ten_digits_is_accepted_and_stored_as_digits_only(string hsCode, string digits)
    {
        var order = Valid(WithLine(Build.Line(hsCode: hsCode)));

        Assert.Equal(digits, order.Lines[0].HsCode.Digits);
    }

    [Theory]
    [InlineData("61091")]
    [InlineData("61091000001")]
    [InlineData("61A910")]
    [InlineData("6109-10")]
    [InlineData("٦١٠٩١٠")] // Arabic-Indic digits are digits, but not the ASCII ones customs systems take
    [InlineData("......")]
    [InlineData("")]
    [InlineData(null)]
    public void An_hs_code_that_is_not_six_to_ten_digits_is_refused(string? hsCode)
    {
        AssertRefusedOnlyAt("lines[0].hsCode", WithLine(Build.Line() with { HsCode = hsCode }));
    }

    // ---- weight ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("-1")]
    [InlineData("0.0001")]
    [InlineData("1.2345")]
    [InlineData("100000.001")]
    public void A_weight_that_is_not_positive_or_has_more_than_three_decimals_is_refused(string weightKg)
    {
        AssertRefusedOnlyAt("lines[0].weightKg", WithLine(Build.Line() with { WeightKg = Dec(weightKg) }));
    }

    [Fact]
    public void A_missing_weight_is_refused()
    {
        AssertRefusedOnlyAt("lines[0].weightKg", WithLine(Build.Line() with { WeightKg = null }));
    }

    [Theory]
    [InlineData("0.001")]
    [InlineData("0.2")]
    [InlineData("0.2000")]
    [InlineData("100000")]
    public void A_positive_weight_to_the_gram_is_accepted(string weightKg)
    {
        var order = Valid(WithLine(Build.Line() with { WeightKg = Dec(weightKg) }));

        Assert.Equal(Dec(weightKg), order.Lines[0].UnitWeight.Kilograms);
    }

    // ---- buyer locale ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("de-DE", "de-DE")]
    [InlineData("zh-Hant-TW", "zh-Hant-TW")]
    [InlineData("pt-BR", "pt-BR")]
    [InlineData("en", "en")]
    [InlineData("de-de", "de-DE")]
    public void A_known_bcp_47_locale_is_accepted(string locale, string tag)
    {
        var order = Valid(WithBuyer(b => b with { Locale = locale }));

        Assert.Equal(tag, order.BuyerLocale?.Tag);
    }

    [Theory]
    [InlineData("english")]
    [InlineData("de_DE")]
    [InlineData("xx-YY")] // well-formed, but no such language
    [InlineData("12-34")]
    [InlineData("de-")]
    public void A_locale_that_is_not_a_known_bcp_47_tag_is_refused(string locale)
    {
        AssertRefusedOnlyAt("buyer.locale", WithBuyer(b => b with { Locale = locale }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_buyer_without_a_locale_is_accepted(string? locale)
    {
        var order = Valid(WithBuyer(b => b with { Locale = locale }));

        Assert.Null(order.BuyerLocale);
    }

    // ---- buyer time zone ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Sao_Paulo")]
    [InlineData("CET")]
    [InlineData("UTC")]
    public void An_iana_time_zone_is_accepted(string timeZone)
    {
        var order = Valid(WithBuyer(b => b with { TimeZone = timeZone }));

        Assert.Equal(timeZone, order.BuyerTimeZone?.Id);
    }

    [Theory]
    [InlineData("W. Europe Standard Time")] // a Windows id
    [InlineData("Mars/Olympus")]
    [InlineData("Berlin")]
    [InlineData("+01:00")]
    public void A_time_zone_that_is_not_in_the_tz_database_is_refused(string timeZone)
    {
        AssertRefusedOnlyAt("buyer.timeZone", WithBuyer(b => b with { TimeZone = timeZone }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_buyer_without_a_time_zone_is_accepted(string? timeZone)
    {
        var order = Valid(WithBuyer(b => b with { TimeZone = timeZone }));

        Assert.Null(order.BuyerTimeZone);
    }

    // ---- incoterm ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("DDP", Incoterm.DDP)]
    [InlineData("ddp", Incoterm.DDP)]
    [InlineData("DAP", Incoterm.DAP)]
    [InlineData(" dap ", Incoterm.DAP)]
    public void DDP_and_DAP_are_accepted_in_any_case(string incoterm, Incoterm expected)
    {
        var order = Valid(Build.Order() with { Incoterm = incoterm });

        Assert.Equal(expected, order.Incoterm);
    }

    [Theory]
    [InlineData("EXW")]
    [InlineData("FOB")]
    [InlineData("DDU")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void An_incoterm_other_than_DDP_or_DAP_or_none_is_refused(string? incoterm)
    {
        AssertRefusedOnlyAt("incoterm", Build.Order() with { Incoterm = incoterm });
    }

    // ---- required fields ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("reference", null)]
    [InlineData("reference", " ")]
    [InlineData("buyer.name", null)]
    [InlineData("buyer.name", " ")]
    [InlineData("buyer.email", null)]
    [InlineData("buyer.email", "")]
    [InlineData("shipTo.name", null)]
    [InlineData("shipTo.name", "\t")]
    [InlineData("shipTo.line1", null)]
    [InlineData("shipTo.line1", "")]
    [InlineData("shipTo.city", null)]
    [InlineData("shipTo.city", "  ")]
    [InlineData("shipTo.country", null)]
    [InlineData("shipTo.country", " ")]
    [InlineData("lines[0].sku", null)]
    [InlineData("lines[0].sku", " ")]
    [InlineData("lines[0].description", null)]
    [InlineData("lines[0].description", "")]
    public void A_required_field_left_empty_is_refused(string field, string? value)
    {
        AssertRefusedOnlyAt(field, Set(Build.Order(), field, value));
    }

    [Fact]
    public void An_order_without_a_buyer_is_refused_at_buyer_alone()
    {
        AssertRefusedOnlyAt("buyer", Build.Order() with { Buyer = null });
    }

    [Fact]
    public void An_order_without_a_ship_to_address_is_refused_at_ship_to_alone()
    {
        AssertRefusedOnlyAt("shipTo", Build.Order() with { ShipTo = null });
    }

    [Fact]
    public void Phone_second_address_line_and_region_are_optional()
    {
        var input = Build.Order();
        var order = Valid(input with
        {
            Buyer = input.Buyer! with { Phone = null },
            ShipTo = input.ShipTo! with { Line2 = null, Region = " " },
        });

        Assert.Null(order.BuyerPhone);
        Assert.Null(order.ShipToLine2);
        Assert.Null(order.ShipToRegion);
    }

    [Fact]
    public void Text_fields_are_trimmed()
    {
        var input = Build.Order("  R-42  ");
        var order = Valid(input with { ShipTo = input.ShipTo! with { City = " Berlin " } });

        Assert.Equal("R-42", order.Reference);
        Assert.Equal("Berlin", order.ShipToCity);
    }

    [Fact]
    public void A_reference_longer_than_100_characters_is_refused_and_100_are_accepted()
    {
        AssertRefusedOnlyAt("reference", Build.Order(new string('R', 101)));
        Assert.Equal(100, Valid(Build.Order(new string('R', 100))).Reference.Length);
    }

    [Theory]
    [InlineData("reference", "R-1\u0007")]
    [InlineData("buyer.name", "Anna\nSchmidt")]
    [InlineData("shipTo.line1", "Hauptstr.\u001f1")]
    [InlineData("lines[0].description", "Cotton\u0000T-shirt")]
    public void A_text_field_with_a_control_character_is_refused(string field, string value)
    {
        AssertRefusedOnlyAt(field, Set(Build.Order(), field, value));
    }

    // ---- every wrong field at once -----------------------------------------------------------------------------

    [Fact]
    public void Every_wrong_field_is_reported_at_once()
    {
        var input = Build.Order(lines: [Build.Line(quantity: 0, hsCode: "61A910"), Build.Line(unitPrice: -1m, weightKg: 0m) with { Sku = null }]);
        input = input with
        {
            Reference = null,
            Buyer = input.Buyer! with { Email = "not-an-email", Locale = "english", TimeZone = "Mars/Olympus" },
            ShipTo = input.ShipTo! with { City = null, PostalCode = "ABC" },
            Incoterm = "EXW",
            Currency = "EURO",
        };
        var errors = new ValidationErrors();

        var order = ValidateOrder.Validate(input, errors);

        Assert.Null(order);
        string[] expected =
        [
            "buyer.email", "buyer.locale", "buyer.timeZone", "currency", "incoterm",
            "lines[0].hsCode", "lines[0].quantity", "lines[1].sku", "lines[1].unitPrice", "lines[1].weightKg",
            "reference", "shipTo.city", "shipTo.postalCode",
        ];
        Assert.Equal(expected, errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.ToDictionary().Values, reasons => Assert.All(reasons, reason => Assert.False(string.IsNullOrWhiteSpace(reason))));
    }

    [Fact]
    public void A_valid_order_reports_nothing_and_yields_every_field()
    {
        var errors = new ValidationErrors();

        var order = ValidateOrder.Validate(Build.Order("R-1"), errors);

        Assert.True(errors.IsEmpty, Describe(errors.ToDictionary()));
        Assert.NotNull(order);
        Assert.Equal("R-1", order.Reference);
        Assert.Equal("anna@example.com", order.BuyerEmail.Value);
        Assert.Equal("Anna Schmidt", order.BuyerName);
        Assert.Equal("+49 30 1234567", order.BuyerPhone);
        Assert.Equal("de-DE", order.BuyerLocale?.Tag);
        Assert.Equal("Europe/Berlin", order.BuyerTimeZone?.Id);
        Assert.Equal("10115", order.ShipToPostalCode);
        Assert.Equal("DE", order.ShipToCountry.Value);
        Assert.Equal(Incoterm.DDP, order.Incoterm);
        Assert.Equal("EUR", order.Currency.Code);
        var line = Assert.Single(order.Lines);
        Assert.Equal(("TS-1", "Cotton T-shirt", 2, 12.5m, "610910", "CN", 0.2m),
            (line.Sku, line.Description, line.Quantity, line.UnitPrice, line.HsCode.Digits, line.OriginCountry.Value, line.UnitWeight.Kilograms));
        Assert.Matches("^[0-9a-f]{64}$", order.ContentHash);
    }

    // ---- content hash ------------------------------------------------------------------------------------------

    [Fact]
    public void The_content_hash_is_the_same_for_12_5_and_12_50()
    {
        var twelveFive = Valid(Build.Order("R-1", lines: [Build.Line(unitPrice: 12.5m)]));
        var twelveFifty = Valid(Build.Order("R-1", lines: [Build.Line(unitPrice: 12.50m)]));

        Assert.Equal(twelveFive.ContentHash, twelveFifty.ContentHash);
    }

    [Fact]
    public void The_content_hash_does_not_depend_on_how_amounts_quantities_and_codes_were_written()
    {
        var plain = Valid(Build.Order("R-1", lines: [Build.Line(quantity: 2m, unitPrice: 0m, hsCode: "610910", weightKg: 0.2m)]));
        var input = Build.Order("R-1", lines: [Build.Line(quantity: 2.0m, unitPrice: 0.00m, hsCode: "6109.10", weightKg: 0.200m) with { OriginCountry = "cn" }]);
        var padded = Valid(input with { Incoterm = "ddp", Currency = "eur", ShipTo = input.ShipTo! with { Country = "de" } });

        Assert.Equal(plain.ContentHash, padded.ContentHash);
    }

    [Theory]
    [InlineData("reference")]
    [InlineData("buyer.name")]
    [InlineData("buyer.email")]
    [InlineData("buyer.phone")]
    [InlineData("buyer.locale")]
    [InlineData("buyer.timeZone")]
    [InlineData("shipTo.name")]
    [InlineData("shipTo.line1")]
    [InlineData("shipTo.line2")]
    [InlineData("shipTo.city")]
    [InlineData("shipTo.region")]
    [InlineData("shipTo.postalCode")]
    [InlineData("shipTo.country")]
    [InlineData("incoterm")]
    [InlineData("currency")]
    [InlineData("lines[0].sku")]
    [InlineData("lines[0].description")]
    [InlineData("lines[0].quantity")]
    [InlineData("lines[0].unitPrice")]
    [InlineData("lines[0].hsCode")]
    [InlineData("lines[0].originCountry")]
    [InlineData("lines[0].weightKg")]
    [InlineData("lines")]
    public void The_content_hash_changes_when_any_field_changes(string field)
    {
        var original = Build.Order("R-1");
        var before = Valid(original);

        var after = Valid(Changed(original, field));

        Assert.NotEqual(before.ContentHash, after.ContentHash);
    }

    [Fact]
    public void The_content_hash_tells_apart_a_value_moved_to_a_neighbouring_field()
    {
        var input = Build.Order("R-1");
        var inLine2 = Valid(input with { ShipTo = input.ShipTo! with { Line2 = "Hinterhaus" } });
        var inRegion = Valid(input with { ShipTo = input.ShipTo! with { Region = "Hinterhaus" } });
        var twoLines = Valid(Build.Order("R-1", lines: [Build.Line("A"), Build.Line("B")]));
        var swapped = Valid(Build.Order("R-1", lines: [Build.Line("B"), Build.Line("A")]));

        Assert.NotEqual(inLine2.ContentHash, inRegion.ContentHash);
        Assert.NotEqual(twoLines.ContentHash, swapped.ContentHash);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static OrderInput WithLine(OrderLineInput line) => Build.Order(lines: [line]);

    private static OrderInput WithBuyer(Func<BuyerInput, BuyerInput> change)
    {
        var order = Build.Order();
        return order with { Buyer = change(order.Buyer!) };
    }

    private static OrderInput Set(OrderInput order, string field, string? value) => field switch
    {
        "reference" => order with { Reference = value },
        "buyer.name" => order with { Buyer = order.Buyer! with { Name = value } },
        "buyer.email" => order with { Buyer = order.Buyer! with { Email = value } },
        "shipTo.name" => order with { ShipTo = order.ShipTo! with { Name = value } },
        "shipTo.line1" => order with { ShipTo = order.ShipTo! with { Line1 = value } },
        "shipTo.city" => order with { ShipTo = order.ShipTo! with { City = value } },
        "shipTo.country" => order with { ShipTo = order.ShipTo! with { Country = value } },
        "lines[0].sku" => order with { Lines = [order.Lines![0] with { Sku = value }] },
        "lines[0].description" => order with { Lines = [order.Lines![0] with { Description = value }] },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "No such field in this test."),
    };

    /// <summary>The order with one field changed to another valid value.</summary>
    private static OrderInput Changed(OrderInput order, string field)
    {
        var buyer = order.Buyer!;
        var shipTo = order.ShipTo!;
        var line = order.Lines![0];
        return field switch
        {
            "reference" => order with { Reference = "R-2" },
            "buyer.name" => order with { Buyer = buyer with { Name = "Anna Schmitt" } },
            "buyer.email" => order with { Buyer = buyer with { Email = "anna@example.org" } },
            "buyer.phone" => order with { Buyer = buyer with { Phone = "+49 30 1234568" } },
            "buyer.locale" => order with { Buyer = buyer with { Locale = "de-AT" } },
            "buyer.timeZone" => order with { Buyer = buyer with { TimeZone = "Europe/Vienna" } },
            "shipTo.name" => order with { ShipTo = shipTo with { Name = "Bernd Schmidt" } },
            "shipTo.line1" => order with { ShipTo = shipTo with { Line1 = "Hauptstr. 2" } },
            "shipTo.line2" => order with { ShipTo = shipTo with { Line2 = "Hinterhaus" } },
            "shipTo.city" => order with { ShipTo = shipTo with { City = "Berlin-Mitte" } },
            "shipTo.region" => order with { ShipTo = shipTo with { Region = "BE" } },
            "shipTo.postalCode" => order with { ShipTo = shipTo with { PostalCode = "10117" } },
            "shipTo.country" => order with { ShipTo = shipTo with { Country = "AT", PostalCode = "1010" } },
            "incoterm" => order with { Incoterm = "DAP" },
            "currency" => order with { Currency = "USD" },
            "lines[0].sku" => order with { Lines = [line with { Sku = "TS-2" }] },
            "lines[0].description" => order with { Lines = [line with { Description = "Cotton T-shirt, red" }] },
            "lines[0].quantity" => order with { Lines = [line with { Quantity = 3 }] },
            "lines[0].unitPrice" => order with { Lines = [line with { UnitPrice = 12.51m }] },
            "lines[0].hsCode" => order with { Lines = [line with { HsCode = "6109.90" }] },
            "lines[0].originCountry" => order with { Lines = [line with { OriginCountry = "BD" }] },
            "lines[0].weightKg" => order with { Lines = [line with { WeightKg = 0.201m }] },
            "lines" => order with { Lines = [line, line] },
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "No such field in this test."),
        };
    }

    private static ValidOrder Valid(OrderInput input)
    {
        var errors = new ValidationErrors();
        var order = ValidateOrder.Validate(input, errors);
        Assert.True(errors.IsEmpty, Describe(errors.ToDictionary()));
        Assert.NotNull(order);
        return order;
    }

    /// <summary>The order is refused, and for this one field only: no other rule fired by accident.</summary>
    private static void AssertRefusedOnlyAt(string field, OrderInput input)
    {
        var errors = new ValidationErrors();
        var order = ValidateOrder.Validate(input, errors);
        Assert.Null(order);
        var reported = errors.ToDictionary();
        Assert.True(reported.Count == 1 && reported.ContainsKey(field), $"Expected an error at '{field}' only; got: {Describe(reported)}");
        Assert.All(reported[field], reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 0 ? "(no errors)" : string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" | ", e.Value)}"));
}
