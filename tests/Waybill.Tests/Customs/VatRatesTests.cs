using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class VatRatesTests
{
    private static CountryCode C(string code) => CountryCode.TryCreate(code, out var c, out _) ? c : throw new ArgumentException(code);

    [Theory]
    [InlineData("DE", "2020-06-30", 19)]
    [InlineData("DE", "2020-07-01", 16)] // the COVID-19 cut
    [InlineData("DE", "2020-12-31", 16)]
    [InlineData("DE", "2021-01-01", 19)]
    [InlineData("RO", "2025-07-31", 19)]
    [InlineData("RO", "2025-08-01", 21)]
    [InlineData("EE", "2025-06-30", 22)]
    [InlineData("EE", "2025-07-01", 24)]
    [InlineData("FI", "2024-08-31", 24)]
    [InlineData("FI", "2024-09-01", 25.5)]
    [InlineData("GB", "2026-12-04", 20)]
    [InlineData("CH", "2023-12-31", 7.7)]
    [InlineData("CH", "2024-01-01", 8.1)]
    [InlineData("SG", "2022-12-31", 7)]
    [InlineData("SG", "2023-01-01", 8)]
    [InlineData("SG", "2024-01-01", 9)]
    [InlineData("AU", "2026-12-04", 10)]
    [InlineData("NZ", "2026-12-04", 15)]
    [InlineData("NO", "2026-12-04", 25)]
    [InlineData("US", "2026-12-04", 0)]
    public void The_standard_rate_is_the_one_in_force_on_the_date(string country, string date, double percent)
    {
        var rate = VatRates.Default.StandardOn(C(country), DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));

        Assert.NotNull(rate);
        Assert.Equal((decimal)percent, rate.Percent);
        Assert.False(string.IsNullOrWhiteSpace(rate.Source));
    }

    [Fact]
    public void Every_eu_member_state_and_the_uk_have_a_rate_and_an_unknown_destination_has_none()
    {
        string[] eu = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB"];
        Assert.All(eu, c => Assert.NotNull(VatRates.Default.StandardOn(C(c), new DateOnly(2026, 12, 4))));
        Assert.Null(VatRates.Default.StandardOn(C("AQ"), new DateOnly(2026, 12, 4)));
        Assert.Null(VatRates.Default.StandardOn(C("SG"), new DateOnly(1990, 1, 1))); // before the first period
    }

    [Fact]
    public void Unverified_rates_say_so_and_why()
    {
        var india = VatRates.Default.StandardOn(C("IN"), new DateOnly(2026, 12, 4))!;

        Assert.False(india.Verified);
        Assert.False(string.IsNullOrWhiteSpace(india.Note));
        Assert.All(VatRates.Default.Countries.SelectMany(VatRates.Default.PeriodsOf), r => Assert.InRange(r.Percent, 0, 30));
    }

    [Fact]
    public void A_file_with_a_bad_date_or_rate_is_refused_naming_it()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-vat-").FullName;
        var eu = Path.Combine(directory, "eu.json");
        var other = Path.Combine(directory, "other.json");
        File.WriteAllText(eu, """{"items": {"DE": [{"effective_from": "2021-13-01", "rates": {"standard": 19}}]}}""");
        File.WriteAllText(other, """{"items": {}}""");
        var bad = Assert.Throws<InvalidDataException>(() => VatRates.Load(eu, other));
        Assert.Contains("DE", bad.Message, StringComparison.Ordinal);

        File.WriteAllText(eu, """{"items": {"DE": [{"effective_from": "2021-01-01", "rates": {"standard": 190}}]}}""");
        Assert.Contains("190", Assert.Throws<InvalidDataException>(() => VatRates.Load(eu, other)).Message, StringComparison.Ordinal);
    }
}
