using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>A destination's standard rate on a date: the percentage, the tax's name, where it comes from and since when.</summary>
public sealed record VatRate(CountryCode Country, decimal Percent, string Name, DateOnly EffectiveFrom, string Source, bool Verified, string? Note)
{
    /// <summary>The percentage as the calculator's fixed-point rate (see <see cref="Micros"/>).</summary>
    internal long Rate { get; } = Micros.RateOf(Percent);

    /// <summary>Its number as a charge's source, given once (no part of the record's equality).</summary>
    internal SourceNumber Number { get; } = new();
}

/// <summary>
/// The standard VAT, GST or consumption-tax rate of a destination on a date, from dated periods:
/// <c>data/tax/vat-rates.json</c> (EU-27 and GB, ibericode/vat-rates, MIT, unchanged) and
/// <c>data/tax/other-rates.json</c> (Waybill's table for other destinations, each rate with its source and whether it is
/// verified). The period in force on a date is the latest that started on or before it.
/// </summary>
public sealed class VatRates
{
    private static readonly Lazy<VatRates> Shared = new(() => Load(ReferenceData.PathOf("tax", "vat-rates.json"), ReferenceData.PathOf("tax", "other-rates.json")));

    private readonly FrozenDictionary<CountryCode, VatRate[]> _periods;

    private VatRates(Dictionary<CountryCode, List<VatRate>> periods) =>
        _periods = periods.ToFrozenDictionary(p => p.Key, p => p.Value.OrderByDescending(r => r.EffectiveFrom).ToArray());

    public static VatRates Default => Shared.Value;

    public IEnumerable<CountryCode> Countries => _periods.Keys;

    /// <summary>The standard rate in force in <paramref name="country"/> on <paramref name="date"/>, else null (no data, or before the first period).</summary>
    public VatRate? StandardOn(CountryCode country, DateOnly date)
    {
        // A loop, not FirstOrDefault: a landed-cost quote asks for every line, and a lambda over the date allocates.
        if (_periods.TryGetValue(country, out var periods))
        {
            foreach (var period in periods)
            {
                if (period.EffectiveFrom <= date)
                {
                    return period;
                }
            }
        }
        return null;
    }

    /// <summary>Every period of a country, newest first.</summary>
    public IReadOnlyList<VatRate> PeriodsOf(CountryCode country) => _periods.GetValueOrDefault(country) ?? [];

    /// <exception cref="InvalidDataException">A file is malformed: the message names the country and period.</exception>
    public static VatRates Load(string euPath, string otherPath)
    {
        var periods = new Dictionary<CountryCode, List<VatRate>>();
        using (var eu = JsonDocument.Parse(File.ReadAllText(euPath)))
        {
            foreach (var country in eu.RootElement.GetProperty("items").EnumerateObject())
            {
                var code = Country(country.Name, euPath);
                foreach (var period in country.Value.EnumerateArray())
                {
                    var from = Date(period.GetProperty("effective_from").GetString(), euPath, country.Name);
                    var rate = period.GetProperty("rates").GetProperty("standard").GetDecimal();
                    Add(code, new VatRate(code, Percent(rate, euPath, country.Name), "VAT", from,
                        "ibericode/vat-rates (MIT), data/tax/vat-rates.json", true, null));
                }
            }
        }
        using (var other = JsonDocument.Parse(File.ReadAllText(otherPath)))
        {
            foreach (var country in other.RootElement.GetProperty("items").EnumerateObject())
            {
                var code = Country(country.Name, otherPath);
                foreach (var period in country.Value.EnumerateArray())
                {
                    Add(code, new VatRate(
                        code,
                        Percent(period.GetProperty("standard").GetDecimal(), otherPath, country.Name),
                        period.GetProperty("name").GetString()!,
                        Date(period.GetProperty("effective_from").GetString(), otherPath, country.Name),
                        period.GetProperty("source").GetString()!,
                        period.GetProperty("verified").GetBoolean(),
                        period.TryGetProperty("note", out var note) ? note.GetString() : null));
                }
            }
        }
        return new VatRates(periods);

        void Add(CountryCode code, VatRate rate)
        {
            if (!periods.TryGetValue(code, out var list))
            {
                periods[code] = list = [];
            }
            if (list.Any(r => r.EffectiveFrom == rate.EffectiveFrom && r.Percent != rate.Percent))
            {
                throw new InvalidDataException($"{code}: two standard rates from {rate.EffectiveFrom:yyyy-MM-dd}.");
            }
            list.Add(rate);
        }
    }

    private static CountryCode Country(string name, string path) =>
        CountryCode.TryCreate(name, out var code, out _) ? code : throw new InvalidDataException($"{path}: '{name}' is not a country code.");

    /// <summary>ibericode's "0000-01-01" means "since before the data starts".</summary>
    private static DateOnly Date(string? text, string path, string country) =>
        text == "0000-01-01" ? DateOnly.MinValue
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new InvalidDataException($"{path}: {country}: '{text}' is not a yyyy-MM-dd date.");

    private static decimal Percent(decimal rate, string path, string country) =>
        rate is >= 0 and <= 100 ? rate : throw new InvalidDataException($"{path}: {country}: {rate} is not a percentage.");
}
