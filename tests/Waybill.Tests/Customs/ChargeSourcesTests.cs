using System.Collections.Concurrent;
using System.Globalization;
using Waybill.Common;
using Waybill.Customs;
using Xunit;

namespace Waybill.Tests.Customs;

/// <summary>The numbers a charge keeps for its rule and its basis template, and what they stand for when read back.</summary>
public sealed class ChargeSourcesTests
{
    [Fact]
    public void A_source_keeps_its_number_and_reads_back_as_itself()
    {
        var registry = new ChargeSources.Registry<object>(ReferenceEqualityComparer.Instance, int.MaxValue);
        object first = new(), second = new();
        var a = registry.IdOf(first);
        var b = registry.IdOf(second);
        Assert.Equal(0, registry.IdOf(null));
        Assert.True(a > 0 && b > 0 && a != b, $"two objects are numbered apart from 1 ({a}, {b})");
        Assert.Equal(a, registry.IdOf(first));
        Assert.Same(first, registry.Of(a));
        Assert.Same(second, registry.Of(b));
        Assert.Null(registry.Of(0));
    }

    [Fact]
    public void Numbers_given_concurrently_are_one_per_object_and_all_read_back()
    {
        var registry = new ChargeSources.Registry<object>(ReferenceEqualityComparer.Instance, int.MaxValue);
        var items = Enumerable.Range(0, 5_000).Select(_ => new object()).ToArray();
        var ids = new ConcurrentDictionary<object, int>(ReferenceEqualityComparer.Instance);
        // Every object is asked for by four threads at once, while the registry grows from 64 places.
        Parallel.For(0, items.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var item = items[i / 4];
            var id = registry.IdOf(item);
            Assert.Same(item, registry.Of(id));
            Assert.Equal(id, ids.GetOrAdd(item, id));
        });
        Assert.Equal(items.Length, ids.Values.Distinct().Count());
    }

    [Fact]
    public void A_full_registry_says_so()
    {
        var registry = new ChargeSources.Registry<string>(StringComparer.Ordinal, 3);
        Assert.Equal(1, registry.IdOf("one"));
        Assert.Equal(2, registry.IdOf("two"));
        Assert.Equal(1, registry.IdOf(string.Concat("o", "ne"))); // by text
        var error = Assert.Throws<InvalidOperationException>(() => registry.IdOf("three"));
        Assert.Contains("full", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KP", "2026-12-04")]
    [InlineData("AD", "0001-01-01")]
    [InlineData("ZW", "8689-12-31")]
    [InlineData("ZW", "9999-12-31")] // the last day: the number's largest
    public void A_missing_rate_reads_back_with_its_country_and_day(string country, string date)
    {
        var day = DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var source = ChargeSource.Missing(CountryCode.Parse(country), day);
        Assert.False(source.Verified);
        Assert.True(source.Id >= ChargeSource.FirstMissing, $"a missing rate's number ({source.Id}) is apart from the registry's");
        var missing = Assert.IsType<MissingRate>(ChargeSource.Resolve(source.Id));
        Assert.Equal(country, missing.Country.Value);
        Assert.Equal(day, missing.Date);
    }

    [Theory]
    [InlineData("AED", "2.50 AED")]
    [InlineData("EUR", "2.50 EUR")]
    [InlineData("JPY", "3 JPY")]
    [InlineData("KWD", "2.500 KWD")]
    [InlineData("ZAR", "2.50 ZAR")]
    public void A_charge_writes_its_currency_code_from_the_number_it_keeps(string code, string basis)
    {
        var currency = Currency.Parse(code);
        var charge = new LandedCharge(ChargeKind.Shipping, 2_500_000, (ushort)currency.Place, (byte)currency.MinorUnits, new ChargeSource(0, Verified: true),
            LandedCharge.BasisForm.Value, 2_500_000);
        Assert.Equal(basis, charge.Basis);
        Assert.Equal("", charge.Rule);
        Assert.True(charge.Verified);
    }
}
