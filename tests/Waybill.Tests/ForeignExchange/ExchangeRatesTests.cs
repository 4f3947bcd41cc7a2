using System.Text;
using Waybill.Common;
using Waybill.ForeignExchange;
using Xunit;

namespace Waybill.Tests.ForeignExchange;

public sealed class ExchangeRatesTests
{
    // The ECB eurofxref-hist.csv header, as the shipped file and the ECB's download carry it.
    private const string EcbHeader =
        "Date,USD,JPY,BGN,CYP,CZK,DKK,EEK,GBP,HUF,LTL,LVL,MTL,PLN,ROL,RON,SEK,SIT,SKK,CHF,ISK,NOK,HRK,RUB,TRL,TRY,AUD,BRL,CAD,CNY,HKD,IDR,ILS,INR,KRW,MXN,MYR,NZD,PHP,SGD,THB,ZAR,";

    private static readonly Currency Eur = Currency.Parse("EUR");
    private static readonly Currency Usd = Currency.Parse("USD");
    private static readonly Currency Gbp = Currency.Parse("GBP");
    private static readonly Currency Jpy = Currency.Parse("JPY");

    private static ExchangeRates Shipped => ExchangeRates.Default;

    private static DateOnly Day(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Euros_convert_at_the_rate_the_ECB_published_that_day()
    {
        // ECB, Friday 2026-02-20: 1 EUR = 1.1767 USD = 182.63 JPY.
        Assert.Equal(new Money(117.67m, Usd), Shipped.Convert(new Money(100m, Eur), Usd, Day("2026-02-20")));
        Assert.Equal(new Money(182_630m, Jpy), Shipped.Convert(new Money(1_000m, Eur), Jpy, Day("2026-02-20")));
        // And back: 117.67 USD is 100 EUR that day.
        Assert.Equal(100m, Shipped.Convert(new Money(117.67m, Usd), Eur, Day("2026-02-20")).Amount);
    }

    [Fact]
    public void Dollars_convert_to_pounds_through_the_euro_without_rounding()
    {
        // ECB 2026-02-20: USD 1.1767, GBP 0.8728 per euro, so 100 USD = 100 / 1.1767 * 0.8728 GBP
        // = 74.17353616044871250106229285289... exactly, kept to decimal's 29 significant digits.
        var pounds = Shipped.Convert(new Money(100m, Usd), Gbp, Day("2026-02-20"));

        Assert.Equal(Gbp, pounds.Currency);
        Assert.Equal(74.173536160448712501062292853m, pounds.Amount);
        Assert.Equal(74.17m, Math.Round(pounds.Amount, 2));
    }

    [Fact]
    public void A_weekend_uses_the_rates_of_the_Friday_before_it_not_the_Monday_after()
    {
        // ECB USD: Friday 2026-02-13 1.1862, Monday 2026-02-16 1.1855.
        foreach (var weekend in new[] { Day("2026-02-14"), Day("2026-02-15") })
        {
            Assert.Equal(Day("2026-02-13"), Shipped.RateDate(Usd, weekend));
            Assert.Equal(118.62m, Shipped.Convert(new Money(100m, Eur), Usd, weekend).Amount);
        }
        Assert.Equal(118.55m, Shipped.Convert(new Money(100m, Eur), Usd, Day("2026-02-16")).Amount);
    }

    [Theory]
    [InlineData("2025-12-25", "2025-12-24")]
    [InlineData("2025-12-26", "2025-12-24")]
    [InlineData("2026-01-01", "2025-12-31")]
    [InlineData("2025-04-18", "2025-04-17")]
    [InlineData("2025-04-21", "2025-04-17")]
    public void A_TARGET_holiday_uses_the_last_publication_before_it(string holiday, string published)
    {
        Assert.Equal(Day(published), Shipped.RateDate(Usd, Day(holiday)));
        Assert.Equal(Shipped.Convert(new Money(250m, Gbp), Usd, Day(published)), Shipped.Convert(new Money(250m, Gbp), Usd, Day(holiday)));
    }

    [Fact]
    public void A_date_after_the_last_publication_uses_the_last_rates_and_says_which()
    {
        Assert.Equal(Day("2026-02-20"), Shipped.LastDate);
        Assert.Equal(Day("2026-02-20"), Shipped.RateDate(Usd, Day("2026-11-25")));
    }

    [Fact]
    public void A_date_before_the_first_publication_is_refused_not_converted_one_to_one()
    {
        Assert.Equal(Day("2024-06-27"), Shipped.FirstDate);

        var converted = Shipped.TryConvert(new Money(100m, Eur), Usd, Day("2024-06-26"), out var result, out var reason);

        Assert.False(converted);
        Assert.Equal(default, result);
        Assert.Contains("2024-06-27", reason, StringComparison.Ordinal);
        Assert.Null(Shipped.RateDate(Usd, Day("2024-06-26")));
        Assert.Equal(107.05m, Shipped.Convert(new Money(100m, Eur), Usd, Day("2024-06-28")).Amount);
    }

    [Fact]
    public void A_currency_the_ECB_does_not_quote_is_refused_either_way()
    {
        var kes = Currency.Parse("KES"); // neither quoted by the ECB nor pegged in pegs.json

        Assert.False(Shipped.TryConvert(new Money(100m, Usd), kes, Day("2026-02-20"), out _, out var into));
        Assert.False(Shipped.TryConvert(new Money(100m, kes), Usd, Day("2026-02-20"), out _, out var from));
        Assert.Contains("KES", into, StringComparison.Ordinal);
        Assert.Contains("KES", from, StringComparison.Ordinal);
        Assert.Null(Shipped.RateDate(kes, Day("2026-02-20")));
        Assert.Throws<InvalidOperationException>(() => Shipped.Convert(new Money(100m, Usd), kes, Day("2026-02-20")));
    }

    [Fact]
    public void A_currency_pegged_to_the_dollar_converts_through_the_dollar_s_rate_of_the_day()
    {
        var aed = Currency.Parse("AED");
        var day = Day("2026-02-20");

        Assert.Equal(367.25m, decimal.Round(Shipped.Convert(new Money(100m, Usd), aed, day).Amount, 6));
        Assert.Equal(Shipped.RateDate(Usd, day), Shipped.RateDate(aed, day));
        Assert.Equal(375m, decimal.Round(Shipped.Convert(new Money(100m, Usd), Currency.Parse("SAR"), day).Amount, 6));
        var usdPerEuro = Shipped.Convert(new Money(1m, Currency.Parse("EUR")), Usd, day).Amount;
        Assert.Equal(decimal.Round(usdPerEuro * 3.75m, 10), decimal.Round(Shipped.Convert(new Money(1m, Currency.Parse("EUR")), Currency.Parse("SAR"), day).Amount, 10));
        Assert.False(Shipped.TryConvert(new Money(1m, Usd), aed, Day("1990-01-01"), out _, out _)); // before the ECB's data and the peg
    }

    [Fact]
    public void A_currency_the_ECB_did_not_quote_that_day_is_refused_rather_than_taken_from_an_older_day()
    {
        // The ECB has published N/A for the rouble since 2 March 2022.
        var rub = Currency.Parse("RUB");

        Assert.False(Shipped.TryConvert(new Money(100m, Eur), rub, Day("2025-07-05"), out _, out var reason));
        Assert.Contains("RUB", reason, StringComparison.Ordinal);
        Assert.Contains("2025-07-01", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_amount_already_in_the_target_currency_comes_back_unchanged_whatever_the_date()
    {
        var amount = new Money(123.4567m, Usd);
        var aed = new Money(50m, Currency.Parse("AED"));

        Assert.Equal(amount, Shipped.Convert(amount, Usd, Day("2026-02-20")));
        Assert.Equal(amount, Shipped.Convert(amount, Usd, Day("2001-01-01")));
        Assert.Equal(aed, Shipped.Convert(aed, aed.Currency, Day("2026-02-20")));
    }

    [Fact]
    public void The_shipped_file_quotes_the_currencies_Waybill_trades_in_on_its_last_date()
    {
        string[] traded = ["USD", "GBP", "CNY", "HKD", "JPY", "CHF", "AUD", "CAD", "NZD", "NOK", "SEK", "DKK", "PLN", "CZK", "SGD", "KRW", "INR", "BRL", "MXN"];

        var missing = traded.Where(code => Shipped.RateDate(Currency.Parse(code), Shipped.LastDate) != Shipped.LastDate).ToList();

        Assert.True(missing.Count == 0, "No rate on the last date for: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_shipped_rates_are_read_once_and_shared()
    {
        var instances = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ExchangeRates.Default, TestContext.Current.CancellationToken)));

        Assert.All(instances, rates => Assert.Same(instances[0], rates));
    }

    [Theory]
    [InlineData("Date,USD,GBP,\n2026-02-20,1.1767,0.8728,\n2026-02-19,1.1753,O.8738,\n", 3, "O.8738")]
    [InlineData("Date,USD,GBP,\n20/02/2026,1.1767,0.8728,\n", 2, "20/02/2026")]
    [InlineData("Date,USD,GBP,\n2026-02-20,1.1767,0.8728,\n2026-02-19,1.1753,0.8738,\n2026-02-18,1.1845,\n", 4, "cells")]
    [InlineData("Date,USD,GBP,\n2026-02-20,1.1767,0.8728,\n2026-02-20,1.1753,0.8738,\n", 3, "line 2")]
    [InlineData("Date,USD,GBP,\n2026-02-20,0,0.8728,\n", 2, "USD")]
    [InlineData("Date,USD,GBP,\n2026-02-20,-1.1767,0.8728,\n", 2, "USD")]
    [InlineData("Date,USD,GBP,\n2026-02-20,,0.8728,\n", 2, "USD")]
    [InlineData("Date,USD,usd,\n2026-02-20,1.1767,1.1767,\n", 1, "usd")]
    [InlineData("Date,USD,EUR,\n2026-02-20,1.1767,1,\n", 1, "EUR")]
    [InlineData("Currency,USD,GBP,\n2026-02-20,1.1767,0.8728,\n", 1, "Date")]
    public void A_malformed_line_fails_the_whole_load_and_names_its_line(string content, int line, string detail)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(content, "operator.csv"));

        Assert.Contains($"operator.csv, line {line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_dated_lines_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => Read(EcbHeader + "\n", "empty.csv"));
        Assert.Throws<InvalidDataException>(() => Read("", "empty.csv"));
    }

    [Fact]
    public void An_operator_file_in_the_ECB_layout_replaces_the_shipped_rates()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-rates-");
        try
        {
            var path = Path.Combine(directory.FullName, "eurofxref-hist.csv");
            File.WriteAllText(path, string.Join('\n',
                EcbHeader,
                EcbLine("2026-03-03", ("USD", "1.2"), ("GBP", "0.8")),
                EcbLine("2026-03-02", ("USD", "1.25"), ("GBP", "0.8"))) + "\n");

            var operatorRates = ExchangeRates.Load(path);

            Assert.Equal(Day("2026-03-02"), operatorRates.FirstDate);
            Assert.Equal(Day("2026-03-03"), operatorRates.LastDate);
            Assert.Equal(new Money(120m, Usd), operatorRates.Convert(new Money(100m, Eur), Usd, Day("2026-03-04")));
            Assert.Equal(new Money(150m, Usd), operatorRates.Convert(new Money(100m, Gbp), Usd, Day("2026-03-03")));
            Assert.False(operatorRates.TryConvert(new Money(100m, Eur), Usd, Day("2026-02-20"), out _, out _));
            // The shipped rates are untouched: the same day still converts at the ECB's 2026-02-20 rate there.
            Assert.Equal(new Money(117.67m, Usd), Shipped.Convert(new Money(100m, Eur), Usd, Day("2026-03-04")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static ExchangeRates Read(string content, string source)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return ExchangeRates.Read(stream, source);
    }

    /// <summary>A line of the ECB layout with the given rates and N/A for every other currency.</summary>
    private static string EcbLine(string date, params (string Code, string Rate)[] rates)
    {
        var codes = EcbHeader.TrimEnd(',').Split(',').Skip(1);
        var cells = codes.Select(code => rates.FirstOrDefault(r => r.Code == code).Rate ?? "N/A");
        return $"{date},{string.Join(',', cells)},";
    }
}
