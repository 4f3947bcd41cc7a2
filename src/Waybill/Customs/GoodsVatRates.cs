using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>A reduced (or zero) import VAT/GST rate for a category of goods in a country, from a date, with its source.</summary>
public sealed record GoodsVatRate(CountryCode Country, string Category, decimal Percent, DateOnly EffectiveFrom, string Source, bool Verified, string? Note)
{
    /// <summary>The percentage as the calculator's fixed-point rate (see <see cref="Micros"/>).</summary>
    internal long Rate { get; } = Micros.RateOf(Percent);

    /// <summary>Its number as a charge's source, given once (no part of the record's equality).</summary>
    internal SourceNumber Number { get; } = new();
}

/// <summary>
/// Reduced or zero VAT/GST rates by goods category (<c>data/tax/goods-rates.json</c>): categories are sets of HS 2022
/// chapters, headings or subheadings that do not overlap, so goods fall in one category at most; each country lists dated
/// rates for the categories it treats differently from its standard rate (<see cref="VatRates"/>). The rate on a date is
/// the latest period that started on or before it. Loaded strictly: an unknown field, category or country, an HS prefix
/// not in HS 2022, overlapping categories, a bad date or percentage, a missing source, or an unverified rate without a
/// note fails the load naming the country and entry.
/// </summary>
public sealed class GoodsVatRates
{
    private static readonly Lazy<GoodsVatRates> Shared = new(() => Load(ReferenceData.PathOf("tax", "goods-rates.json")));

    private readonly FrozenDictionary<CountryCode, Category[]> _byCountry;

    private GoodsVatRates(FrozenDictionary<CountryCode, Category[]> byCountry) => _byCountry = byCountry;

    public static GoodsVatRates Default => Shared.Value;

    /// <summary>
    /// The rate for goods of subheading hs6 (int, e.g. 490199) in the country on the date, when a category covers them;
    /// else null (the standard rate applies). Latest period starting on or before the date. No allocation.
    /// </summary>
    public GoodsVatRate? RateOn(CountryCode country, DateOnly date, int hs6)
    {
        if (hs6 is < 0 or > 999_999 || !_byCountry.TryGetValue(country, out var categories))
        {
            return null;
        }
        foreach (var category in categories)
        {
            foreach (var (prefix, divisor) in category.Prefixes)
            {
                if (hs6 / divisor == prefix)
                {
                    // Categories do not overlap: the first that covers the goods is the only one.
                    return category.InForceOn(date);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The categories a country rates on a date, in the order <see cref="RateOn"/> tries them: each HS prefix (hs6 /
    /// Divisor == Prefix) with the period in force, or null when the category's first period starts later.
    /// </summary>
    internal IEnumerable<(int Prefix, int Divisor, GoodsVatRate? Rate)> CoveredOn(CountryCode country, DateOnly date) =>
        (_byCountry.GetValueOrDefault(country) ?? []).SelectMany(c => c.Prefixes.Select(p => (p.Prefix, p.Divisor, c.InForceOn(date))));

    /// <summary>Every date on which a country's reduced rates change.</summary>
    internal IEnumerable<DateOnly> ChangeDates(CountryCode country) =>
        (_byCountry.GetValueOrDefault(country) ?? []).SelectMany(c => c.PeriodsNewestFirst.Select(r => r.EffectiveFrom));

    /// <summary>A category as a country rates it: its HS prefixes as ints (hs6 / Divisor == Prefix) and its periods, newest first.</summary>
    private sealed record Category((int Prefix, int Divisor)[] Prefixes, GoodsVatRate[] PeriodsNewestFirst)
    {
        /// <summary>The latest period starting on or before the date, else null.</summary>
        public GoodsVatRate? InForceOn(DateOnly date)
        {
            foreach (var period in PeriodsNewestFirst)
            {
                if (period.EffectiveFrom <= date)
                {
                    return period;
                }
            }
            return null;
        }
    }

    /// <exception cref="InvalidDataException">The file breaks a rule of its format: the message names the country and entry.</exception>
    public static GoodsVatRates Load(string path)
    {
        RatesFile file;
        try
        {
            file = JsonSerializer.Deserialize<RatesFile>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        var problems = new List<string>();
        var prefixes = new Dictionary<string, (int Prefix, int Divisor)[]>(StringComparer.Ordinal);
        var owner = new List<(string Digits, string Category)>();
        if (file.Categories is not { Count: > 0 })
        {
            problems.Add("categories is required.");
        }
        foreach (var (name, category) in file.Categories ?? [])
        {
            if (category.Hs is not { Count: > 0 })
            {
                problems.Add($"category {name}: hs (HS 2022 chapters, headings or subheadings) is required.");
            }
            if (string.IsNullOrWhiteSpace(category.Description))
            {
                problems.Add($"category {name}: a description is required.");
            }
            var list = new List<(int, int)>();
            foreach (var hs in category.Hs ?? [])
            {
                var digits = HsNomenclature.Digits(hs);
                if (digits is not { Length: 2 or 4 or 6 } || HsNomenclature.Default.Find(digits) is null)
                {
                    problems.Add($"category {name}: hs '{hs}' is not an HS 2022 chapter, heading or subheading.");
                    continue;
                }
                foreach (var (other, otherCategory) in owner.Where(o => o.Digits.StartsWith(digits, StringComparison.Ordinal) || digits.StartsWith(o.Digits, StringComparison.Ordinal)))
                {
                    problems.Add($"category {name}: hs '{hs}' overlaps '{other}' of {otherCategory}; categories may not overlap.");
                }
                owner.Add((digits, name));
                list.Add((int.Parse(digits, CultureInfo.InvariantCulture), digits.Length switch { 2 => 10_000, 4 => 100, _ => 1 }));
            }
            prefixes[name] = [.. list];
        }

        var periods = new Dictionary<CountryCode, Dictionary<string, List<GoodsVatRate>>>();
        if (file.Items is null)
        {
            problems.Add("items is required.");
        }
        foreach (var (countryName, entries) in file.Items ?? [])
        {
            if (!CountryCode.TryCreate(countryName, out var country, out _) || countryName != country.Value)
            {
                problems.Add($"{countryName}: not an ISO 3166-1 alpha-2 country code.");
                continue;
            }
            var byCategory = periods[country] = [];
            foreach (var (e, index) in (entries ?? []).Select((e, i) => (e, i)))
            {
                var name = $"{countryName} {e.Category ?? $"entry {index + 1}"} from {e.EffectiveFrom}";
                void Problem(string text) => problems.Add($"{name}: {text}");
                if (e.Category is null || !prefixes.ContainsKey(e.Category))
                {
                    Problem($"category '{e.Category}' is not one of the file's categories.");
                }
                if (e.Percent is not (>= 0 and <= 100))
                {
                    Problem($"percent '{e.Percent}' is not from 0 to 100.");
                }
                if (!DateOnly.TryParseExact(e.EffectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
                {
                    Problem($"effective_from '{e.EffectiveFrom}' is not a yyyy-MM-dd date.");
                }
                Provenance.Check(e.Source, e.Verified, e.Note, "rate", Problem);
                if (e.Category is null)
                {
                    continue;
                }
                if (!byCategory.TryGetValue(e.Category, out var list))
                {
                    byCategory[e.Category] = list = [];
                }
                if (list.Any(p => p.EffectiveFrom == from))
                {
                    Problem("two rates for the category start the same day.");
                }
                list.Add(new GoodsVatRate(country, e.Category, e.Percent ?? 0, from, e.Source ?? "", e.Verified ?? false, e.Note));
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {string.Join(" ", problems)}");
        }
        return new GoodsVatRates(periods.ToFrozenDictionary(
            c => c.Key,
            c => c.Value.Select(p => new Category(prefixes[p.Key], [.. p.Value.OrderByDescending(r => r.EffectiveFrom)])).ToArray()));
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record RatesFile(string? About, string? Source, string? Licence, string? EffectiveFrom, Dictionary<string, CategoryFile>? Categories, Dictionary<string, List<EntryFile>?>? Items);

    private sealed record CategoryFile(List<string>? Hs, string? Description);

    private sealed record EntryFile(
        string? Category,
        decimal? Percent,
        [property: JsonPropertyName("effective_from")] string? EffectiveFrom,
        string? Source,
        bool? Verified,
        string? Note);
}
