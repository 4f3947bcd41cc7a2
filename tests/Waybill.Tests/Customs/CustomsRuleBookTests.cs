using System.Globalization;
using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class CustomsRuleBookTests
{
    private static CountryCode C(string code) => CountryCode.TryCreate(code, out var c, out _) ? c : throw new ArgumentException(code);

    private static DateOnly D(string date) => DateOnly.Parse(date, CultureInfo.InvariantCulture);

    private static string Kinds(string country, string date) =>
        string.Join(" ", CustomsRuleBook.Default.InForce(C(country), D(date)).Where(r => r.Kind != CustomsRuleBook.Valuation).Select(r => r.Id).Order(StringComparer.Ordinal));

    [Theory]
    // The EU's duty relief up to EUR 150 ends on 2026-06-30; the flat EUR 3 per item category starts the next day.
    [InlineData("DE", "2026-06-30", "eu-duty-relief-150 eu-ioss eu-vat-every-consignment")]
    [InlineData("DE", "2026-07-01", "eu-flat-duty-3 eu-ioss eu-vat-every-consignment")]
    [InlineData("DE", "2028-07-01", "eu-flat-duty-3 eu-ioss eu-vat-every-consignment")]
    [InlineData("DE", "2028-07-02", "eu-ioss eu-vat-every-consignment")]
    // France adds its parcel tax from 2026-03-01.
    [InlineData("FR", "2026-02-28", "eu-duty-relief-150 eu-ioss eu-vat-every-consignment")]
    [InlineData("FR", "2026-03-01", "eu-duty-relief-150 eu-ioss eu-vat-every-consignment fr-parcel-tax")]
    // The US de minimis: USD 800 until 2025-08-28, suspended from 2025-08-29.
    [InlineData("US", "2025-08-28", "us-de-minimis-800")]
    [InlineData("US", "2025-08-29", "us-de-minimis-suspended")]
    // The Section 122 surcharge: 2026-02-24 to 2026-07-24.
    [InlineData("US", "2026-02-23", "us-de-minimis-suspended")]
    [InlineData("US", "2026-02-24", "us-de-minimis-suspended us-section-122")]
    [InlineData("US", "2026-07-24", "us-de-minimis-suspended us-section-122")]
    [InlineData("US", "2026-07-25", "us-de-minimis-suspended")]
    // Turkey's flat taxes from 2026-02-01 (assumed), Brazil's bands from 2024-08-01 (assumed), Mexico's courier regime from 2025-08-15.
    [InlineData("TR", "2026-01-31", "")]
    [InlineData("TR", "2026-02-01", "tr-flat-tax-eu tr-flat-tax-other")]
    [InlineData("BR", "2024-07-31", "")]
    [InlineData("BR", "2024-08-01", "br-remessa-conforme")]
    [InlineData("MX", "2025-08-14", "")]
    [InlineData("MX", "2025-08-15", "mx-courier-flat mx-usmca-50 mx-usmca-50-tax")]
    [InlineData("GB", "2026-12-04", "uk-duty-relief-135 uk-point-of-sale uk-vat-above-135")]
    [InlineData("CH", "2023-12-31", "ch-vat-5 ch-vat-at-sale")]
    [InlineData("CH", "2024-01-01", "ch-industrial-duty-free ch-vat-5 ch-vat-at-sale")]
    [InlineData("NO", "2023-12-31", "no-voec")]
    [InlineData("NO", "2024-01-01", "no-vat-every-consignment no-voec")]
    [InlineData("SA", "2024-10-05", "sa-duty-1000 sa-vat-all")]
    [InlineData("SA", "2024-10-06", "sa-duty-1000 sa-online-fee sa-vat-all")]
    public void The_rules_in_force_are_those_of_the_date(string country, string date, string expected) =>
        Assert.Equal(expected, Kinds(country, date));

    [Fact]
    public void Every_rule_names_its_source_and_the_unverified_ones_say_what_they_assume()
    {
        var rules = CustomsRuleBook.Default.Rules;

        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Source), r.Id));
        Assert.All(rules.Where(r => !r.Verified), r => Assert.False(string.IsNullOrWhiteSpace(r.Note), r.Id));
        Assert.Contains(rules, r => r.Id == "fr-parcel-tax" && !r.Verified);
        Assert.Equal(["AU_GST", "CH_VAT", "IOSS", "NO_VOEC", "NZ_GST", "SG_GST", "UK_POS"],
            rules.Where(r => r.Kind == CustomsRuleBook.Scheme).Select(r => r.Scheme!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_destination_without_a_valuation_rule_of_its_own_takes_the_default_one()
    {
        Assert.Equal("default-valuation", CustomsRuleBook.Default.InForce(C("TH"), D("2026-12-04")).Single(r => r.Kind == CustomsRuleBook.Valuation).Id);
        Assert.Equal("eu-valuation", CustomsRuleBook.Default.InForce(C("DE"), D("2026-12-04")).Single(r => r.Kind == CustomsRuleBook.Valuation).Id);
        Assert.Equal("us-valuation", CustomsRuleBook.Default.InForce(C("US"), D("2026-12-04")).Single(r => r.Kind == CustomsRuleBook.Valuation).Id);
    }

    [Fact]
    public void North_korea_is_embargoed_and_germany_is_not()
    {
        Assert.NotNull(CustomsRuleBook.Default.EmbargoOn(C("KP"), D("2026-12-04"))?.Reason);
        Assert.Null(CustomsRuleBook.Default.EmbargoOn(C("DE"), D("2026-12-04")));
    }

    [Theory]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "fee", "amount": 2, "currency": "EUR", "per": "item", "basis": "consignment", "source": "s", "verified": true, "colour": "red"}]}""", "colour")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "tariff", "source": "s", "verified": true}]}""", "kind 'tariff'")]
    [InlineData("""{"rules": [{"id": "x", "where": "ZZ", "kind": "embargo", "reason": "r", "source": "s", "verified": true}]}""", "where 'ZZ'")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "duty_de_minimis", "amount": 150, "currency": "EUX", "basis": "consignment", "source": "s", "verified": true}]}""", "currency 'EUX'")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "embargo", "reason": "r", "from": "2026-02-01", "to": "2026-01-01", "source": "s", "verified": true}]}""", "ends")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "embargo", "reason": "r", "source": "s", "verified": false}]}""", "note")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "scheme", "scheme": "XX", "amount": 1, "currency": "EUR", "basis": "item", "source": "s", "verified": true}]}""", "scheme 'XX'")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "duty_de_minimis", "amount": 1, "currency": "EUR", "basis": "consignment", "excludes": ["cheese"], "source": "s", "verified": true}]}""", "excludes 'cheese'")]
    [InlineData("""{"rules": [{"id": "x", "where": "BR", "kind": "duty_bands", "currency": "USD", "basis": "consignment", "bands": [{"upTo": 50, "percent": 20}, {"upTo": 40, "percent": 60}], "source": "s", "verified": true}]}""", "bands")]
    [InlineData("""{"rules": [{"id": "x", "where": "DE", "kind": "valuation", "includesShipping": true, "source": "s", "verified": true}]}""", "taxIncludesShipping")]
    public void A_broken_rule_book_is_refused_naming_the_problem(string json, string named)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("waybill-rules-").FullName, "rules.json");
        File.WriteAllText(file, json);

        var ex = Assert.Throws<InvalidDataException>(() => CustomsRuleBook.Load(file));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
