using System.Globalization;
using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

public sealed class GoodsVatRatesTests
{
    private const int Book = 490199;
    private const int PictureBook = 490300;
    private const int Cheese = 40690;
    private const int TShirt = 610910;

    private static CountryCode C(string code) => CountryCode.Parse(code);

    private static DateOnly D(string date) => DateOnly.Parse(date, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("DE", "2026-12-04", Book, 7)]
    [InlineData("DE", "2020-07-01", Book, 5)] // the COVID-19 cut
    [InlineData("DE", "2021-01-01", Book, 7)]
    [InlineData("GB", "2026-12-04", Book, 0)]
    [InlineData("GB", "2026-12-04", PictureBook, 0)]
    [InlineData("CH", "2023-12-31", Book, 2.5)]
    [InlineData("CH", "2024-01-01", Book, 2.6)]
    [InlineData("NO", "2026-12-04", Book, 0)]
    [InlineData("CZ", "2023-12-31", Book, 10)]
    [InlineData("CZ", "2024-01-01", Book, 0)]
    [InlineData("FI", "2024-12-31", Book, 10)]
    [InlineData("FI", "2025-01-01", Book, 14)]
    [InlineData("FI", "2026-01-01", Book, 13.5)]
    [InlineData("FR", "2026-12-04", Cheese, 5.5)]
    [InlineData("NL", "2026-12-04", Cheese, 9)]
    [InlineData("CH", "2026-12-04", Cheese, 2.6)]
    [InlineData("JP", "2019-10-01", Cheese, 8)]
    public void The_reduced_rate_is_the_one_in_force_on_the_date(string country, string date, int hs6, double percent)
    {
        var rate = GoodsVatRates.Default.RateOn(C(country), D(date), hs6);

        Assert.NotNull(rate);
        Assert.Equal((decimal)percent, rate.Percent);
        Assert.False(string.IsNullOrWhiteSpace(rate.Source));
    }

    [Fact]
    public void Japanese_food_has_no_reduced_rate_before_october_2019_when_everything_was_at_8_percent() =>
        Assert.Null(GoodsVatRates.Default.RateOn(C("JP"), D("2019-09-30"), Cheese));

    [Fact]
    public void Goods_in_no_category_and_countries_without_entries_get_the_standard_rate()
    {
        Assert.Null(GoodsVatRates.Default.RateOn(C("DE"), D("2026-12-04"), TShirt));
        Assert.Null(GoodsVatRates.Default.RateOn(C("DE"), D("2026-12-04"), 220421)); // wine
        Assert.Null(GoodsVatRates.Default.RateOn(C("DK"), D("2026-12-04"), Book));
        Assert.Null(GoodsVatRates.Default.RateOn(C("US"), D("2026-12-04"), Cheese));
    }

    [Fact]
    public void Every_eu_member_state_the_uk_switzerland_and_norway_rate_books()
    {
        string[] countries = ["AT", "BE", "BG", "CY", "CZ", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB", "CH", "NO"];

        Assert.All(countries, c => Assert.NotNull(GoodsVatRates.Default.RateOn(C(c), D("2026-12-04"), Book)));
    }

    [Fact]
    public void Unverified_rates_say_what_they_assume()
    {
        var germanFood = GoodsVatRates.Default.RateOn(C("DE"), D("2026-12-04"), Cheese)!;

        Assert.False(germanFood.Verified);
        Assert.False(string.IsNullOrWhiteSpace(germanFood.Note));
        Assert.True(GoodsVatRates.Default.RateOn(C("JP"), D("2026-12-04"), Cheese)!.Verified);
    }

    [Fact]
    public void A_lookup_does_not_allocate()
    {
        var rates = GoodsVatRates.Default;
        var de = C("DE");
        var date = D("2026-12-04");
        rates.RateOn(de, date, Book);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            rates.RateOn(de, date, Book);
            rates.RateOn(de, date, TShirt + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private const string Books = """{"books": {"hs": ["4901"], "description": "b"}}""";

    [Theory]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 7, "effective_from": "2007-01-01", "source": "s", "verified": true, "colour": "red"}]}""", "colour")]
    [InlineData(Books, """{"DE": [{"category": "toys", "percent": 7, "effective_from": "2007-01-01", "source": "s", "verified": true}]}""", "DE toys from 2007-01-01: category 'toys'")]
    [InlineData(Books, """{"ZZ": [{"category": "books", "percent": 7, "effective_from": "2007-01-01", "source": "s", "verified": true}]}""", "ZZ: not an ISO")]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 107, "effective_from": "2007-01-01", "source": "s", "verified": true}]}""", "DE books from 2007-01-01: percent")]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 7, "effective_from": "2007-02-30", "source": "s", "verified": true}]}""", "DE books from 2007-02-30: effective_from")]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 7, "effective_from": "2007-01-01", "verified": true}]}""", "DE books from 2007-01-01: a source")]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 7, "effective_from": "2007-01-01", "source": "s", "verified": false}]}""", "DE books from 2007-01-01: an unverified rate")]
    [InlineData(Books, """{"DE": [{"category": "books", "percent": 7, "effective_from": "2007-01-01", "source": "s", "verified": true}, {"category": "books", "percent": 5, "effective_from": "2007-01-01", "source": "s", "verified": true}]}""", "start the same day")]
    [InlineData("""{"books": {"hs": ["4999"], "description": "b"}}""", "{}", "category books: hs '4999'")]
    [InlineData("""{"books": {"hs": ["49"], "description": "b"}, "picture": {"hs": ["4903"], "description": "p"}}""", "{}", "category picture: hs '4903' overlaps '49' of books")]
    public void A_malformed_file_is_refused_naming_the_country_and_entry(string categories, string items, string named)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("waybill-goods-vat-").FullName, "goods-rates.json");
        File.WriteAllText(file, $$"""{"categories": {{categories}}, "items": {{items}}}""");

        var ex = Assert.Throws<InvalidDataException>(() => GoodsVatRates.Load(file));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
