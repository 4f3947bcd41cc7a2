using System.Collections.Frozen;
using System.Globalization;
using Waybill.Common;
using Waybill.Customs;
using Waybill.ForeignExchange;
using Waybill.Orders;
using Waybill.Tenancy;
using Xunit;

namespace Waybill.Tests.Customs;

/// <summary>
/// The rule book through the calculator: every rule on both sides of its threshold and of its effective dates, in the
/// destination's currency and in another, with several lines and categories, DDP and DAP, postal and courier, refusals.
/// </summary>
public sealed class LandedCostCalculatorTests
{
    private const string TShirt = "610910";
    private const string Watch = "910211";
    private const string Mug = "691200";
    private const string Wine = "220421";
    private const string Book = "490199";
    private const string Shoes = "640399";

    private static readonly LandedCostCalculator Calculator = LandedCostCalculator.Default;

    /// <summary>A quote request with defaults: one T-shirt line from China, by post, DAP, no shipping.</summary>
    private sealed record Q(string From, string To, string Date, string Currency = "EUR", decimal Shipping = 0, string Mode = "postal", string Incoterm = "DAP")
    {
        public List<(string Hs, string Origin, int Quantity, decimal Unit)> Lines { get; init; } = [];

        public IReadOnlySet<string>? Schemes { get; init; }

        public Q Line(string hs, decimal unit, int quantity = 1, string origin = "CN") => this with { Lines = [.. Lines, (hs, origin, quantity, unit)] };
    }

    private static Result<LandedCostQuote> Run(Q q)
    {
        var input = new LandedCostInput(q.From, q.To, q.Date, q.Mode, q.Incoterm, q.Currency, q.Shipping, null,
            [.. q.Lines.Select(l => new LandedCostLineInput(l.Hs, l.Origin, "goods", l.Quantity, l.Unit, 0.2m))]);
        var request = QuoteLandedCost.Validate(input, new DateOnly(2026, 12, 4), q.Schemes ?? SchemeRegistrations.Defaults);
        Assert.True(request.IsSuccess, request.Error?.Message);
        return Calculator.Quote(request.Value);
    }

    private static LandedCostQuote Quote(Q q)
    {
        var result = Run(q);
        Assert.True(result.IsSuccess, result.Error?.Message);
        var quote = result.Value;
        // Every quote: the total is the sum of its rounded charges, and the kinds add up.
        Assert.Equal(quote.Charges.Sum(c => c.Amount), quote.Total);
        Assert.Equal(quote.Charges.Where(c => c.Kind == ChargeKind.Duty).Sum(c => c.Amount), quote.Duty);
        Assert.Equal(quote.Charges.Where(c => c.Kind == ChargeKind.Tax).Sum(c => c.Amount), quote.Tax);
        Assert.Equal(quote.Charges.Where(c => c.Kind == ChargeKind.Fee).Sum(c => c.Amount), quote.Fees);
        Assert.All(quote.Charges, c => Assert.Equal(decimal.Round(c.Amount, quote.Currency.MinorUnits, MidpointRounding.AwayFromZero), c.Amount));
        Assert.All(quote.Charges, c => Assert.False(string.IsNullOrWhiteSpace(c.Rule)));
        Assert.All(quote.Charges, c => Assert.False(string.IsNullOrWhiteSpace(c.Basis)));
        return quote;
    }

    private static string[] Rules(LandedCostQuote quote) => [.. quote.Charges.Select(c => c.Rule)];

    private static bool Cites(LandedCostQuote quote, string ruleId) => quote.Charges.Any(c => c.Rule.Contains($"rule {ruleId};", StringComparison.Ordinal));

    private static decimal Tariff(string to, string hs) => DutyTariffs.Default.RateOf(CountryCode.Parse(to), int.Parse(hs, CultureInfo.InvariantCulture)).Percent;

    private static decimal Vat(string to, string date) => VatRates.Default.StandardOn(CountryCode.Parse(to), DateOnly.Parse(date, CultureInfo.InvariantCulture))!.Percent;

    private static decimal R(decimal amount, int places = 2) => decimal.Round(amount, places, MidpointRounding.AwayFromZero);

    // ---- EU: duty relief to EUR 150 until 2026-06-30, then EUR 3 per item category; IOSS; VAT on every consignment.

    [Theory]
    [InlineData("2026-06-30", 150.00, true)]
    [InlineData("2026-06-30", 150.01, false)]
    public void The_eu_duty_relief_covers_consignments_up_to_150_euros_until_the_end_of_june_2026(string date, double goods, bool relieved)
    {
        var quote = Quote(new Q("CN", "DE", date).Line(TShirt, (decimal)goods));

        Assert.Equal(relieved, Cites(quote, "eu-duty-relief-150"));
        Assert.Equal(relieved ? 0m : R((decimal)goods * Tariff("DE", TShirt) / 100), quote.Duty);
    }

    [Theory]
    [InlineData("2026-07-01", 100, TShirt, Watch, 6.00)] // a T-shirt and a watch: two categories
    [InlineData("2026-07-01", 100, TShirt, TShirt, 3.00)] // two T-shirt lines: one category
    [InlineData("2028-07-01", 150, TShirt, Watch, 6.00)] // the last day, at the threshold
    public void From_july_2026_the_eu_charges_3_euros_per_item_category_up_to_150_euros(string date, double goods, string first, string second, double duty)
    {
        var quote = Quote(new Q("CN", "DE", date).Line(first, (decimal)goods / 2).Line(second, (decimal)goods / 2));

        Assert.True(Cites(quote, "eu-flat-duty-3"));
        Assert.Equal((decimal)duty, quote.Duty);
    }

    [Theory]
    [InlineData("2026-07-01", 150.02)] // above the threshold
    [InlineData("2028-07-02", 100.00)] // after the flat duty's end: the tariff, no relief
    public void Outside_the_flat_duty_the_tariff_applies_per_line(string date, double goods)
    {
        var quote = Quote(new Q("CN", "DE", date).Line(TShirt, (decimal)goods / 2).Line(Mug, (decimal)goods / 2));

        Assert.False(Cites(quote, "eu-flat-duty-3"));
        Assert.Equal(R((decimal)goods / 2 * Tariff("DE", TShirt) / 100) + R((decimal)goods / 2 * Tariff("DE", Mug) / 100), quote.Duty);
    }

    [Theory]
    [InlineData(150.00, "IOSS", "checkout")]
    [InlineData(150.01, null, "delivery")]
    public void Ioss_collects_the_vat_at_checkout_up_to_150_euros(double goods, string? scheme, string collectedAt)
    {
        var quote = Quote(new Q("CN", "FR", "2026-12-04", Shipping: 10m).Line(Book, (decimal)goods));

        Assert.Equal(scheme, quote.Scheme);
        Assert.Equal(collectedAt, quote.CollectedAt);
        Assert.Equal(LandedCostCalculator.Checkout == collectedAt, Cites(quote, "eu-ioss"));
    }

    [Fact]
    public void Under_ioss_the_vat_is_on_the_sale_goods_and_delivery()
    {
        // Germany 19% on 40.00 + 4.90 = 8.531 -> 8.53; the flat duty is EUR 3.
        var quote = Quote(new Q("CN", "DE", "2026-12-04", Shipping: 4.90m).Line(TShirt, 20m, 2));

        Assert.Equal("IOSS", quote.Scheme);
        Assert.Equal(R(44.90m * Vat("DE", "2026-12-04") / 100), quote.Tax);
        Assert.Equal(3.00m, quote.Duty);
        Assert.Equal(40m + 4.90m + 3.00m + quote.Tax, quote.Total);
    }

    [Fact]
    public void Without_ioss_import_vat_is_on_customs_value_duty_and_transport()
    {
        var quote = Quote(new Q("CN", "DE", "2026-12-04", Shipping: 10m) { Schemes = FrozenSet<string>.Empty }.Line(TShirt, 100m));

        Assert.Null(quote.Scheme);
        Assert.Equal(3.00m, quote.Duty);
        Assert.Equal(R((100m + 10m + 3m) * Vat("DE", "2026-12-04") / 100), quote.Tax);
        Assert.Equal("delivery", quote.CollectedAt);
    }

    [Fact]
    public void Ioss_does_not_cover_excise_goods()
    {
        var quote = Quote(new Q("CN", "IT", "2026-12-04").Line(Wine, 30m));

        Assert.Null(quote.Scheme);
        Assert.True(quote.Tax > 0);
    }

    [Fact]
    public void Ddp_means_the_buyer_pays_everything_at_checkout()
    {
        var quote = Quote(new Q("CN", "DE", "2026-12-04", Incoterm: "DDP") { Schemes = FrozenSet<string>.Empty }.Line(TShirt, 100m));

        Assert.Equal("checkout", quote.CollectedAt);
    }

    [Theory]
    [InlineData("2026-02-28", 0)]
    [InlineData("2026-03-01", 6.00)] // 3 items, EUR 2 each
    public void France_charges_its_parcel_tax_per_item_from_march_2026(string date, double fees)
    {
        var quote = Quote(new Q("CN", "FR", date).Line(TShirt, 10m, 3));

        Assert.Equal((decimal)fees, quote.Fees);
        Assert.Equal(fees > 0, Cites(quote, "fr-parcel-tax"));
    }

    [Fact]
    public void The_french_parcel_tax_stops_above_150_euros_and_its_quote_says_it_is_unverified()
    {
        Assert.Equal(0m, Quote(new Q("CN", "FR", "2026-12-04").Line(TShirt, 150.01m)).Fees);
        var below = Quote(new Q("CN", "FR", "2026-12-04").Line(TShirt, 150m));
        Assert.Equal(2.00m, below.Fees);
        Assert.False(below.Verified);
    }

    // ---- United Kingdom: point-of-sale VAT and duty relief up to GBP 135.

    [Theory]
    [InlineData(135.00, "UK_POS")]
    [InlineData(135.01, null)]
    public void The_uk_collects_vat_at_the_point_of_sale_up_to_135_pounds(double goods, string? scheme)
    {
        var quote = Quote(new Q("CN", "GB", "2026-12-04", "GBP", Shipping: 5m).Line(TShirt, (decimal)goods));

        Assert.Equal("GBP", quote.Currency.Code);
        Assert.Equal(scheme, quote.Scheme);
        if (scheme is null)
        {
            var duty = ((decimal)goods + 5m) * Tariff("GB", TShirt) / 100;
            Assert.Equal(R(duty), quote.Duty);
            Assert.Equal(R(((decimal)goods + 5m + duty) * 20m / 100), quote.Tax);
        }
        else
        {
            Assert.Equal(0m, quote.Duty);
            Assert.Equal(R(((decimal)goods + 5m) * 20m / 100), quote.Tax);
        }
    }

    // ---- United States: de minimis USD 800 until 2025-08-28, then none; the Section 122 surcharge.

    [Theory]
    [InlineData("2025-08-28", 800.00, false)]
    [InlineData("2025-08-28", 800.01, true)]
    [InlineData("2025-08-29", 10.00, true)]
    public void The_us_de_minimis_ended_on_29_august_2025(string date, double goods, bool dutiable)
    {
        var quote = Quote(new Q("CN", "US", date, "USD").Line(Mug, (decimal)goods));

        Assert.Equal(dutiable ? R((decimal)goods * Tariff("US", Mug) / 100) : 0m, quote.Duty);
        Assert.Equal(0m, quote.Tax); // no federal VAT or sales tax at the border
    }

    [Theory]
    [InlineData("2026-02-23", false)]
    [InlineData("2026-02-24", true)]
    [InlineData("2026-07-24", true)]
    [InlineData("2026-07-25", false)]
    public void The_section_122_surcharge_adds_10_percent_from_24_february_to_24_july_2026(string date, bool surcharged)
    {
        var quote = Quote(new Q("CN", "US", date, "USD").Line(Mug, 100m));

        Assert.Equal(surcharged, Cites(quote, "us-section-122"));
        Assert.Equal(R(100m * Tariff("US", Mug) / 100) + (surcharged ? 10.00m : 0m), quote.Duty);
    }

    [Fact]
    public void Us_duty_is_on_the_goods_alone_not_the_freight()
    {
        var quote = Quote(new Q("CN", "US", "2026-12-04", "USD", Shipping: 50m).Line(Mug, 100m));

        Assert.Equal(R(100m * Tariff("US", Mug) / 100), quote.Duty);
    }

    // ---- Canada: CAD 20 by post or courier from elsewhere; from the US or Mexico by courier, CAD 40 tax and CAD 150 duty.

    [Theory]
    [InlineData("CN", "postal", 20.00, false, false)]
    [InlineData("CN", "postal", 20.01, true, true)]
    [InlineData("US", "postal", 30.00, true, true)] // by post the CUSMA thresholds do not apply
    [InlineData("US", "courier", 40.00, false, false)]
    [InlineData("US", "courier", 40.01, false, true)]
    [InlineData("US", "courier", 150.01, true, true)]
    [InlineData("CN", "courier", 30.00, true, true)]
    public void Canada_applies_its_postal_and_cusma_thresholds(string from, string mode, double goods, bool duty_, bool tax)
    {
        var quote = Quote(new Q(from, "CA", "2026-12-04", "CAD", Mode: mode).Line(TShirt, (decimal)goods, origin: from));

        Assert.Equal(duty_, quote.Duty > 0);
        Assert.Equal(tax, quote.Tax > 0);
        if (tax)
        {
            var duty = duty_ ? (decimal)goods * Tariff("CA", TShirt) / 100 : 0m;
            Assert.Equal(R(((decimal)goods + duty) * 5m / 100), quote.Tax); // GST on value for duty plus duty (FOB)
        }
    }

    // ---- Australia and New Zealand: GST at sale up to 1,000; nothing at the border; above, duty and GST.

    [Theory]
    [InlineData("AU", "AUD", 1000.00, 10)]
    [InlineData("NZ", "NZD", 1000.00, 15)]
    public void Australia_and_new_zealand_collect_gst_at_sale_on_the_full_price(string to, string currency, double goods, double gst)
    {
        var quote = Quote(new Q("CN", to, "2026-12-04", currency, Shipping: 20m).Line(TShirt, (decimal)goods));

        Assert.Equal(to == "AU" ? "AU_GST" : "NZ_GST", quote.Scheme);
        Assert.Equal(0m, quote.Duty);
        Assert.Equal(R(((decimal)goods + 20m) * (decimal)gst / 100), quote.Tax);
    }

    [Fact]
    public void An_unregistered_seller_s_low_value_parcel_to_australia_pays_nothing_at_the_border()
    {
        var quote = Quote(new Q("CN", "AU", "2026-12-04", "AUD") { Schemes = FrozenSet<string>.Empty }.Line(TShirt, 999m));

        Assert.Equal(0m, quote.Duty + quote.Tax);
        Assert.Null(quote.CollectedAt);
    }

    [Fact]
    public void Above_1000_dollars_australia_charges_duty_on_the_fob_value_and_gst_on_value_duty_and_transport()
    {
        var quote = Quote(new Q("CN", "AU", "2026-12-04", "AUD", Shipping: 50m).Line(TShirt, 1000.01m));

        var duty = 1000.01m * Tariff("AU", TShirt) / 100;
        Assert.Equal(R(duty), quote.Duty);
        Assert.Equal(R((1000.01m + 50m + duty) * 10m / 100), quote.Tax);
    }

    // ---- Norway: VOEC per item under NOK 3,000; food excluded.

    [Theory]
    [InlineData(2999.99, "NO_VOEC")]
    [InlineData(3000.00, null)]
    public void Voec_covers_items_under_3000_kroner(double unit, string? scheme)
    {
        var quote = Quote(new Q("CN", "NO", "2026-12-04", "NOK").Line(TShirt, (decimal)unit, 2));

        Assert.Equal(scheme, quote.Scheme);
        Assert.True(quote.Tax > 0);
    }

    [Fact]
    public void Voec_does_not_cover_food()
    {
        Assert.Null(Quote(new Q("CN", "NO", "2026-12-04", "NOK").Line("090121", 100m)).Scheme); // roasted coffee
    }

    // ---- Switzerland: import VAT of CHF 5 or less not collected; no duty on industrial goods from 2024.

    [Theory]
    [InlineData(61.72, 0)] // 8.1% = 4.999
    [InlineData(61.73, 5.00)] // 8.1% = 5.0001
    public void Switzerland_does_not_collect_import_vat_of_5_francs_or_less(double goods, double tax)
    {
        var quote = Quote(new Q("CN", "CH", "2026-12-04", "CHF").Line(TShirt, (decimal)goods));

        Assert.Equal((decimal)tax, quote.Tax);
        Assert.Equal(0m, quote.Duty); // chapter 61 is industrial
    }

    [Theory]
    [InlineData("2023-12-31", false)]
    [InlineData("2024-01-01", true)]
    public void Switzerland_abolished_industrial_duties_in_2024(string date, bool free)
    {
        var quote = Quote(new Q("CN", "CH", date, "CHF").Line(TShirt, 200m));

        Assert.Equal(free, Cites(quote, "ch-industrial-duty-free"));
        Assert.Equal(free ? 0m : R(200m * Tariff("CH", TShirt) / 100), quote.Duty);
    }

    // ---- Japan: JPY 10,000 including freight, not for knitwear, leather bags or footwear.

    [Theory]
    [InlineData(TShirt, 9000, 1000, false)] // knitwear: never relieved
    [InlineData(Mug, 9000, 1000, true)]
    [InlineData(Mug, 9000, 1001, false)] // freight counts
    [InlineData(Shoes, 5000, 0, false)]
    public void Japan_relieves_consignments_up_to_10000_yen_with_freight_except_knitwear_bags_and_shoes(string hs, int goods, int shipping, bool relieved)
    {
        var quote = Quote(new Q("CN", "JP", "2026-12-04", "JPY", Shipping: shipping).Line(hs, goods));

        Assert.Equal(relieved, quote.Duty + quote.Tax == 0);
        Assert.Equal(0, quote.Currency.MinorUnits);
    }

    // ---- Singapore, Korea, the Gulf, Turkey, India, Brazil, Mexico.

    [Theory]
    [InlineData(400.00, false)]
    [InlineData(400.01, true)]
    public void Singapore_relieves_imports_up_to_400_dollars(double goods, bool taxed)
    {
        Assert.Equal(taxed, Quote(new Q("CN", "SG", "2026-12-04", "SGD").Line(TShirt, (decimal)goods)).Tax > 0);
    }

    [Theory]
    [InlineData("CN", 150.00, false)]
    [InlineData("CN", 150.01, true)]
    [InlineData("US", 200.00, false)]
    [InlineData("US", 200.01, true)]
    public void Korea_relieves_150_dollars_and_200_from_the_us(string from, double goods, bool dutiable)
    {
        var quote = Quote(new Q(from, "KR", "2026-12-04", "USD").Line(Mug, (decimal)goods));

        Assert.Equal("KRW", quote.Currency.Code);
        Assert.Equal(dutiable, quote.Tax > 0);
    }

    [Theory]
    [InlineData("2024-10-05", 100, 0)]
    [InlineData("2024-10-06", 100, 15.00)]
    [InlineData("2024-10-06", 1000.01, 0)]
    public void Saudi_arabia_charges_15_riyals_on_online_orders_up_to_1000_from_october_2024(string date, double goods, double fee)
    {
        var quote = Quote(new Q("CN", "SA", date, "SAR").Line(Mug, (decimal)goods));

        Assert.Equal((decimal)fee, quote.Fees);
        Assert.True(quote.Tax > 0); // VAT on every import
    }

    [Theory]
    [InlineData("DE", 30)]
    [InlineData("CN", 60)]
    public void Turkey_charges_a_flat_tax_of_30_percent_from_the_eu_and_60_from_elsewhere(string from, double percent)
    {
        var quote = Quote(new Q(from, "TR", "2026-12-04", "TRY", Shipping: 10m).Line(Mug, 90m, origin: from));

        Assert.Equal(0m, quote.Duty);
        Assert.Equal(R(100m * (decimal)percent / 100), quote.Tax);
        Assert.False(quote.Verified);
    }

    [Fact]
    public void Before_february_2026_turkey_has_no_flat_tax_in_the_book()
    {
        Assert.False(Cites(Quote(new Q("CN", "TR", "2026-01-31", "TRY").Line(Mug, 90m)), "tr-flat-tax-other"));
    }

    [Theory]
    [InlineData(50.00, 10.00)] // 20%
    [InlineData(100.00, 40.00)] // 60% less USD 20
    public void Brazil_applies_the_remessa_conforme_bands_in_dollars(double goods, double dutyInDollars)
    {
        var quote = Quote(new Q("CN", "BR", "2026-12-04", "USD").Line(Mug, (decimal)goods));

        var brlPerUsd = ExchangeRates.Default.Convert(new Money(1m, Currency.Parse("USD")), Currency.Parse("BRL"), new DateOnly(2026, 12, 4)).Amount;
        Assert.Equal("BRL", quote.Currency.Code);
        Assert.True(Cites(quote, "br-remessa-conforme"));
        Assert.Equal(R((decimal)dutyInDollars * brlPerUsd), quote.Duty);
        // ICMS 17% "por dentro": on value, duty and itself.
        Assert.Equal(R((((decimal)goods * brlPerUsd) + ((decimal)dutyInDollars * brlPerUsd)) * 17m / 83m), quote.Tax);
        Assert.False(quote.Verified);
    }

    [Theory]
    [InlineData("CN", "courier", 2500, true)]
    [InlineData("CN", "postal", 100, false)]
    [InlineData("US", "courier", 100, false)]
    public void Mexico_s_courier_regime_charges_33_5_percent_on_goods_from_outside_its_trade_partners(string origin, string mode, double goods, bool flat)
    {
        var quote = Quote(new Q("CN", "MX", "2026-12-04", "USD", Mode: mode).Line(Mug, (decimal)goods, origin: origin));

        Assert.Equal(flat, Cites(quote, "mx-courier-flat"));
    }

    [Theory]
    [InlineData(50.00, false)]
    [InlineData(50.01, true)]
    public void Mexico_relieves_usmca_goods_by_courier_up_to_50_dollars(double goods, bool dutiable)
    {
        var quote = Quote(new Q("US", "MX", "2026-12-04", "USD", Mode: "courier").Line(Mug, (decimal)goods, origin: "US"));

        Assert.Equal(dutiable, quote.Tax > 0);
    }

    [Fact]
    public void India_charges_10_percent_on_personal_imports_above_100_rupees()
    {
        var quote = Quote(new Q("CN", "IN", "2026-12-04", "INR").Line(Mug, 1000m));

        Assert.Equal(100.00m, quote.Duty);
        Assert.True(Cites(quote, "in-personal-imports"));
        Assert.False(quote.Verified);
    }

    // ---- The remaining thresholds, each on both sides, in the destination's currency and in dollars converted at the date's rate.

    [Theory]
    [InlineData("AE", "AED", "ae-duty-1000", 1000)]
    [InlineData("SA", "SAR", "sa-duty-1000", 1000)]
    [InlineData("IN", "INR", "in-duty-100", 100)]
    [InlineData("NZ", "NZD", "nz-border-1000", 1000)]
    [InlineData("AU", "AUD", "au-duty-1000", 1000)]
    public void Each_duty_relief_holds_at_its_threshold_and_not_a_cent_above(string to, string currency, string rule, int threshold)
    {
        var unregistered = FrozenSet<string>.Empty;
        var at = Quote(new Q("CN", to, "2026-12-04", currency) { Schemes = unregistered }.Line(Mug, threshold));
        var above = Quote(new Q("CN", to, "2026-12-04", currency) { Schemes = unregistered }.Line(Mug, threshold + 0.01m));

        Assert.True(Cites(at, rule));
        Assert.Equal(0m, at.Duty);
        Assert.False(Cites(above, rule));
    }

    [Theory]
    [InlineData("AE", "AED", "ae-duty-1000", 1000)]
    [InlineData("SA", "SAR", "sa-duty-1000", 1000)]
    [InlineData("NZ", "NZD", "nz-border-1000", 1000)]
    [InlineData("CA", "CAD", "ca-postal-20", 20)]
    [InlineData("JP", "JPY", "jp-10000", 10000)]
    public void A_threshold_in_the_destination_s_currency_is_tested_on_dollars_converted_at_the_date_s_rate(string to, string currency, string rule, int threshold)
    {
        var on = new DateOnly(2026, 2, 20);
        var dollarsPerUnit = ExchangeRates.Default.Convert(new Money(1m, Currency.Parse(currency)), Currency.Parse("USD"), on).Amount;
        var under = decimal.Round(threshold * dollarsPerUnit * 0.999m, 2);
        var over = decimal.Round(threshold * dollarsPerUnit * 1.001m, 2);

        var below = Quote(new Q("CN", to, "2026-02-20", "USD") { Schemes = FrozenSet<string>.Empty }.Line(Mug, under));
        var beyond = Quote(new Q("CN", to, "2026-02-20", "USD") { Schemes = FrozenSet<string>.Empty }.Line(Mug, over));

        Assert.Equal(currency, below.Currency.Code);
        Assert.True(Cites(below, rule));
        Assert.False(Cites(beyond, rule));
    }

    [Theory]
    [InlineData("SG", "SGD", "SG_GST", 400, 9)]
    [InlineData("CH", "CHF", "CH_VAT", 61, 8.1)] // small consignments: import tax of CHF 5 or less
    public void A_seller_registered_for_an_optional_scheme_collects_the_tax_at_checkout(string to, string currency, string scheme, int goods, double percent)
    {
        var registered = new[] { scheme }.ToFrozenSet(StringComparer.Ordinal);
        var quote = Quote(new Q("CN", to, "2026-12-04", currency) { Schemes = registered }.Line(Mug, goods));
        var unregistered = Quote(new Q("CN", to, "2026-12-04", currency) { Schemes = FrozenSet<string>.Empty }.Line(Mug, goods));

        Assert.Equal(scheme, quote.Scheme);
        Assert.Equal("checkout", quote.CollectedAt);
        Assert.Equal(R(goods * (decimal)percent / 100), quote.Tax);
        Assert.Equal(0m, unregistered.Tax); // below the relief (SG) or the CHF 5 minimum (CH): nothing at the border
        Assert.Null(unregistered.Scheme);
    }

    [Fact]
    public void Above_3000_dollars_brazil_applies_the_tariff_not_the_bands()
    {
        var quote = Quote(new Q("CN", "BR", "2026-12-04", "USD").Line(Mug, 3000.01m));

        Assert.False(Cites(quote, "br-remessa-conforme"));
        Assert.True(quote.Duty > 0);
    }

    // ---- Currencies, rounding, forms, refusals.

    [Fact]
    public void A_quote_answers_in_the_destination_s_currency_and_tests_thresholds_there()
    {
        const string date = "2026-02-20";
        var on = DateOnly.Parse(date, CultureInfo.InvariantCulture);
        var rates = ExchangeRates.Default;
        // USD just under and just over EUR 150 on that day.
        var usdPerEuro = rates.Convert(new Money(1m, Currency.Parse("EUR")), Currency.Parse("USD"), on).Amount;
        var under = decimal.Round(150m * usdPerEuro, 2, MidpointRounding.ToZero) - 0.01m;
        var over = decimal.Round(150m * usdPerEuro, 2, MidpointRounding.ToPositiveInfinity) + 0.01m;

        var below = Quote(new Q("CN", "DE", date, "USD").Line(Book, under));
        var above = Quote(new Q("CN", "DE", date, "USD").Line(Book, over));

        Assert.Equal("EUR", below.Currency.Code);
        Assert.Equal("IOSS", below.Scheme);
        Assert.Null(above.Scheme);
        Assert.Equal(R(under / usdPerEuro), below.Goods);
    }

    [Fact]
    public void Each_charge_is_rounded_half_away_from_zero_and_the_total_is_their_sum()
    {
        // Germany's 19% of 1.50 = 0.285: half away from zero gives 0.29 (banker's rounding would give 0.28).
        var quote = Quote(new Q("CN", "DE", "2026-12-04").Line(TShirt, 1.50m));

        var vat = quote.Charges.Single(c => c.Kind == ChargeKind.Tax && c.Amount != 0);
        Assert.Equal(0.29m, vat.Amount);
        Assert.Equal(1.50m + 3.00m + 0.29m, quote.Total);
    }

    [Theory]
    [InlineData("postal", 1, 100, "Cn22")]
    [InlineData("postal", 20, 100, "Cn23")] // 4 kg: a parcel
    [InlineData("postal", 1, 5000, "Cn23")] // above 300 SDR
    [InlineData("courier", 1, 100, "CommercialInvoice")]
    public void The_form_follows_the_upu_rules_by_post_and_is_an_invoice_by_courier(string mode, int quantity, double unit, string form)
    {
        var quote = Quote(new Q("CN", "DE", "2026-12-04", Mode: mode).Line(Mug, (decimal)unit, quantity));

        Assert.Equal(form, quote.Form.ToString());
    }

    [Fact]
    public void Books_take_the_reduced_rate_and_the_quote_names_it()
    {
        var quote = Quote(new Q("CN", "DE", "2026-12-04").Line(Book, 12.50m));

        var vat = quote.Charges.Single(c => c.Kind == ChargeKind.Tax && c.Amount != 0);
        Assert.Equal(0.88m, vat.Amount); // 7% of 12.50 = 0.875
        Assert.Contains("reduced rate of 7%", vat.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Goods_a_destination_prohibits_are_refused_naming_the_line_and_restricted_goods_carry_a_warning()
    {
        var refused = Run(new Q("CN", "SG", "2026-12-04", "SGD").Line(Mug, 10m).Line("170410", 5m));

        Assert.Equal("customs.prohibited_goods", refused.Error?.Code);
        Assert.StartsWith("lines[1]:", refused.Error!.Message, StringComparison.Ordinal);
        var restricted = Quote(new Q("CN", "AU", "2026-12-04", "AUD").Line("930200", 500m, origin: "US")); // a revolver
        Assert.NotEmpty(restricted.Restrictions);
    }

    [Theory]
    [InlineData("DE", "EUR", 1_000_000_000, 100_000)]
    [InlineData("ID", "EUR", 500_000_000, 1_000)]
    public void Amounts_beyond_the_calculator_s_range_are_refused_not_wrapped(string to, string currency, double unit, int quantity)
    {
        var result = Run(new Q("CN", to, "2026-03-02", currency).Line(Mug, (decimal)unit, quantity));

        Assert.False(result.IsSuccess);
        Assert.Equal("customs.quote_too_large", result.Error!.Code);
    }

    [Fact]
    public void Large_amounts_within_range_convert_exactly()
    {
        // EUR 2,000,000 of mugs to Indonesia: about 36 billion rupiah, past the fast path's floating-point estimate.
        var quote = Quote(new Q("CN", "ID", "2026-03-02").Line(Mug, 20_000m, 100));

        Assert.Equal("IDR", quote.Currency.Code);
        Assert.True(quote.Goods > 10_000_000_000m, quote.Goods.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Round(2_000_000m * quote.ExchangeRate, quote.Currency.MinorUnits, MidpointRounding.AwayFromZero), quote.Goods);
    }

    [Fact]
    public void Each_charge_s_basis_reads_as_a_sentence_with_its_amounts_in_the_currency()
    {
        string[] Bases(Q q) => [.. Quote(q).Charges.Select(c => c.Basis)];

        Assert.Equal(
            ["3 item(s): 120.00 EUR", "5.00 EUR", "3.00 EUR × 2 item categories", "19% of 104.17 EUR (lines[0], HS 6109.10, collected at checkout)",
             "19% of 20.83 EUR (lines[1], HS 6912.00, collected at checkout)", "no import tax: collected at checkout: 120.00 EUR"],
            Bases(new Q("CN", "DE", "2026-08-03", Shipping: 5).Line(TShirt, 100m).Line(Mug, 10m, 2)));
        Assert.Equal(
            ["1 item(s): 234.65 BRL", "52.14 BRL", "60% of 286.79 BRL less 104.29 BRL",
             "17% of 354.58 BRL grossed up (the tax is part of its own base) (lines[0], HS 6109.10)"],
            Bases(new Q("CN", "BR", "2026-03-02", "USD", Shipping: 10).Line(TShirt, 45m)));
        Assert.Equal(
            ["2 item(s): 54789 JPY", "1826 JPY", "10.9% of 56615 JPY (lines[0], HS 6109.10)", "10% of 62786 JPY (lines[0], HS 6109.10)"],
            Bases(new Q("CN", "JP", "2026-03-02", Shipping: 10, Mode: "courier").Line(TShirt, 150m, 2)));
        Assert.Equal(
            ["1 item(s): 30.00 CHF", "0.00 CHF", "0% of 30.00 CHF (lines[0], HS 4901.99)", "not collected at or below 5.00 CHF: 0.78 CHF"],
            Bases(new Q("CN", "CH", "2026-03-02", "CHF").Line(Book, 30m)));
        Assert.Equal(
            ["1 item(s): 1720.08 MXN", "344.02 MXN", "33.5% of 2064.10 MXN (goods and transport)"],
            Bases(new Q("CN", "MX", "2026-09-01", "USD", Shipping: 20, Mode: "courier").Line(TShirt, 100m)));
    }

    [Fact]
    public void The_answer_s_json_is_the_view_s_json_written_directly()
    {
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Q[] quotes =
        [
            new Q("CN", "DE", "2026-03-02", "USD", Shipping: 5).Line(TShirt, 100m).Line(Mug, 10m, 2),
            new Q("CN", "BR", "2026-03-02", "USD", Shipping: 10).Line(TShirt, 45m),
            new Q("CN", "JP", "2026-03-02", Shipping: 10, Mode: "courier").Line(TShirt, 150m, 2),
            new Q("CN", "SG", "2026-12-04", "SGD").Line(Mug, 10m).Line("930400", 5m),
            new Q("CN", "US", "2026-12-04", "USD").Line(Watch, 99.99m),
            new Q("CN", "DE", "2026-09-01", "EUR", Shipping: 4).Line(TShirt, 20m).Line(Mug, 10m), // EU flat duty: "3.00 EUR × 2 item categories"
            new Q("CN", "HK", "2026-12-04", "USD").Line(Mug, 10m),
            new Q("CN", "QA", "2026-12-04", "USD").Line(Mug, 10m),
            new Q("CN", "PE", "2026-12-04", "USD").Line(Mug, 10m),
            Enumerable.Range(0, 40).Aggregate(new Q("CN", "US", "2026-12-04", "USD", Shipping: 30), (q, i) => q.Line(i % 2 == 0 ? TShirt : Watch, 10m + i)),
        ];
        var longest = 0;
        var missingRate = false;
        var warned = 0;
        var multiplied = false;
        foreach (var q in quotes)
        {
            var answer = new LandedCostAnswer(Quote(q), Currency.Parse(q.Currency));
            warned += answer.Quote.Restrictions.Count;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(16);
            answer.WriteJson(buffer);
            longest = Math.Max(longest, buffer.WrittenCount);

            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(answer.View(), web), System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            multiplied |= answer.Quote.Charges.Any(c => c.Basis.Contains('×', StringComparison.Ordinal));
            missingRate |= answer.Quote.Charges.Any(c => c.Rule.StartsWith("Waybill has no VAT or GST rate", StringComparison.Ordinal));
        }
        Assert.True(multiplied, "one of the quotes has a basis with a multiplication sign (escaped in JSON)");
        Assert.True(missingRate, "one of the quotes goes to a country without a VAT or GST rate (a sentence written from its parts)");
        Assert.True(longest > 4096, $"one answer ({longest} bytes) is longer than the writer's first buffer, so that it asks for more room");
        Assert.True(warned > 0, "one of the quotes carries a restricted-goods warning");
    }

    /// <summary>
    /// A basis whose template holds characters the default encoder escapes takes the slow way (its text, encoded), and
    /// comes out as the serializer writes the same sentence; a plain one is written directly, the same.
    /// </summary>
    [Theory]
    [InlineData("item categories", "3.00 EUR × 2 item categories")]
    [InlineData("parcels <fragile> & 'café' + more", "3.00 EUR × 2 parcels <fragile> & 'café' + more")]
    public void A_basis_is_written_as_the_serializer_writes_its_sentence(string subject, string basis)
    {
        var eur = Currency.Parse("EUR");
        var charge = new LandedCharge(ChargeKind.Fee, 6_000_000, (ushort)eur.Place, (byte)eur.MinorUnits, new ChargeSource(0, Verified: true), LandedCharge.BasisForm.PerCount,
            3_000_000, count: 2, subject: LandedCharge.SubjectOf(subject));
        Assert.Equal(basis, charge.Basis);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var json = new JsonOut(buffer);
        charge.WriteBasisJson(ref json);
        json.Flush();
        Assert.Equal(",\"basis\":" + System.Text.Json.JsonSerializer.Serialize(basis), System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>The answer's writer copies the characters it deems plain and escapes the rest as the serializer does.</summary>
    [Fact]
    public void The_answer_s_strings_are_escaped_as_the_serializer_escapes_them()
    {
        var printable = new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c)]);
        string[] texts = [printable, "café × 3", "tab\there", "\u2028", "", .. printable.Select(c => c.ToString())];
        foreach (var text in texts)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var json = new JsonOut(buffer);
            json.String(text);
            json.Flush();
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(text), System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(5, 2)]
    [InlineData(1230, 2)]
    [InlineData(-1230, 2)]
    [InlineData(7, 0)]
    [InlineData(1234, 3)]
    [InlineData(50, 3)]
    [InlineData(9_000_000_000_000_000, 2)]
    [InlineData(long.MaxValue, 4)]
    public void An_amount_from_minor_units_is_written_as_its_decimal_s_json_number(long minor, int minorUnits)
    {
        Span<byte> text = stackalloc byte[24];
        var length = Micros.FormatMinor(minor, minorUnits, text);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Micros.MinorToDecimal(minor, minorUnits)), System.Text.Encoding.ASCII.GetString(text[..length]));
    }

    [Fact]
    public void North_korea_is_refused_as_embargoed()
    {
        var result = Run(new Q("CN", "KP", "2026-12-04").Line(Mug, 10m));

        Assert.False(result.IsSuccess);
        Assert.Equal("customs.embargoed", result.Error!.Code);
    }

    [Fact]
    public void A_parcel_that_crosses_no_border_has_nothing_to_quote()
    {
        Assert.Equal("customs.not_cross_border", Run(new Q("DE", "FR", "2026-12-04").Line(Mug, 10m)).Error?.Code);
    }

    [Fact]
    public void An_unknown_hs_code_is_refused_before_quoting()
    {
        var input = new LandedCostInput("CN", "DE", null, null, "DAP", "EUR", 0m, null, [new LandedCostLineInput("999999", "CN", "x", 1, 1m, 1m)]);
        var request = QuoteLandedCost.Validate(input, new DateOnly(2026, 12, 4), SchemeRegistrations.Defaults);

        Assert.Equal("customs.hs_code_unknown", request.Error?.Code);
        Assert.Contains("lines[0].hsCode", request.Error!.Errors!.Keys);
    }

    [Fact]
    public void Every_wrong_field_is_named_at_once()
    {
        var input = new LandedCostInput("XX", "", "2026-13-01", "boat", "FOB", "EUX", -1m, null, [new LandedCostLineInput("12", null, null, 0, null, null)]);
        var request = QuoteLandedCost.Validate(input, new DateOnly(2026, 12, 4), SchemeRegistrations.Defaults);

        Assert.Equal("customs.quote_invalid", request.Error?.Code);
        Assert.Equal(
            ["currency", "date", "from", "incoterm", "lines[0].hsCode", "lines[0].originCountry", "lines[0].quantity", "lines[0].unitValue", "lines[0].weightKg", "mode", "shipping", "to"],
            request.Error!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_rule_of_the_book_has_a_sentence_naming_it_and_its_date()
    {
        foreach (var rule in CustomsRuleBook.Default.Rules)
        {
            var sentence = LandedCostCalculator.Describe(rule);
            Assert.Contains($"rule {rule.Id};", sentence, StringComparison.Ordinal);
            Assert.Contains("in force", sentence, StringComparison.Ordinal);
            Assert.Equal(!rule.Verified, sentence.Contains("Unverified", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_quote_for_a_date_uses_the_rules_of_that_date_not_today_s()
    {
        var before = Quote(new Q("CN", "DE", "2026-06-30").Line(TShirt, 20m).Line(Watch, 20m));
        var after = Quote(new Q("CN", "DE", "2026-07-01").Line(TShirt, 20m).Line(Watch, 20m));

        Assert.Equal(0m, before.Duty);
        Assert.Equal(6.00m, after.Duty);
        Assert.Contains(Rules(after), r => r.Contains("2026-07-01", StringComparison.Ordinal));
    }
}
