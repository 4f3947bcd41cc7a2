using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Common;
using Waybill.Tenancy;

namespace Waybill.Customs;

/// <summary>One dated rule of the book (<c>data/customs/rules.json</c>; its <c>kinds</c> say what each kind means).</summary>
public sealed record CustomsRule(
    string Id,
    string Where,
    string Kind,
    DateOnly From,
    DateOnly? To,
    decimal? Amount,
    Currency? Currency,
    string? Basis,
    string? Scheme,
    string? Per,
    decimal? Max,
    bool IncludesShipping,
    IReadOnlyList<string> Excludes,
    IReadOnlyList<string> ShippedFrom,
    string? Mode,
    IReadOnlyList<int> Chapters,
    decimal? Percent,
    string? Reason,
    string Source,
    bool Verified,
    string? Note)
{
    /// <summary>Its number as a charge's source, given once (no part of the record's equality).</summary>
    internal SourceNumber Number { get; } = new();

    /// <summary>valuation: the import-tax base includes transport and insurance.</summary>
    public bool TaxIncludesShipping { get; init; }

    /// <summary>valuation: the tax is levied on a base that includes itself.</summary>
    public bool TaxGrossUp { get; init; }

    /// <summary>The basis value must be below the amount, not equal to it ("under NOK 3,000").</summary>
    public bool Strict { get; init; }

    public IReadOnlyList<string> NotShippedFrom { get; init; } = [];

    public IReadOnlyList<string> OriginIn { get; init; } = [];

    public IReadOnlyList<string> OriginNotIn { get; init; } = [];

    /// <summary>duty_bands: the value bands, lowest first.</summary>
    public IReadOnlyList<DutyBand> Bands { get; init; } = [];

    /// <summary>True when the rule applies only under a condition (mode, where the parcel leaves from, the goods' origin).</summary>
    public bool HasFilters => Mode is not null || ShippedFrom.Count > 0 || NotShippedFrom.Count > 0 || OriginIn.Count > 0 || OriginNotIn.Count > 0;

    public bool InForceOn(DateOnly date) => From <= date && (To is null || date <= To);
}

/// <summary>One band of a duty_bands rule: up to <see cref="UpTo"/>, <see cref="Percent"/> of the value less <see cref="Deduct"/>.</summary>
public sealed record DutyBand(decimal UpTo, decimal Percent, decimal Deduct);

/// <summary>
/// The customs rule book: dated rules per destination (de minimis for duty and for tax, collection schemes, flat
/// duties, fees, duty-free chapters, flat taxes, embargoes), each with its source and whether it is verified. A quote
/// for a date uses the rules in force on that date. Loaded strictly: a field the format does not know, an unknown kind,
/// place, currency or scheme, a rule that ends before it starts, or an unverified rule without a note fails the load
/// naming the rule.
/// </summary>
public sealed class CustomsRuleBook
{
    public const string DutyDeMinimis = "duty_de_minimis";
    public const string TaxDeMinimis = "tax_de_minimis";
    public const string TaxMinimum = "tax_minimum";
    public const string Scheme = "scheme";
    public const string FlatDuty = "flat_duty";
    public const string Fee = "fee";
    public const string DutyFreeChapters = "duty_free_chapters";
    public const string FlatTax = "flat_tax";
    public const string Embargo = "embargo";
    public const string Valuation = "valuation";
    public const string AdditionalDuty = "additional_duty";
    public const string DutyRate = "duty_rate";
    public const string DutyBands = "duty_bands";

    /// <summary>A rule for every destination without a rule of that kind of its own.</summary>
    public const string Everywhere = "*";

    private static readonly string[] Kinds = [DutyDeMinimis, TaxDeMinimis, TaxMinimum, Scheme, FlatDuty, Fee, DutyFreeChapters, FlatTax, Embargo, Valuation, AdditionalDuty, DutyRate, DutyBands];
    private static readonly string[] MoneyKinds = [DutyDeMinimis, TaxDeMinimis, TaxMinimum, Scheme, FlatDuty, Fee];
    private static readonly string[] PercentKinds = [FlatTax, AdditionalDuty, DutyRate];
    private static readonly string[] Bases = ["consignment", "item", "tax"];

    private static readonly Lazy<CustomsRuleBook> Shared = new(() => Load(ReferenceData.PathOf("customs", "rules.json")));

    private CustomsRuleBook(IReadOnlyList<CustomsRule> rules, IReadOnlyDictionary<string, IReadOnlyList<string>> categories)
    {
        Rules = rules;
        Categories = categories;
    }

    public static CustomsRuleBook Default => Shared.Value;

    public IReadOnlyList<CustomsRule> Rules { get; }

    /// <summary>Categories of goods (<c>excise</c>, <c>food</c>, ...) as HS chapters, headings or subheadings.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; }

    /// <summary>
    /// Every rule that may apply to goods sent to <paramref name="destination"/>, whatever the date: its own, its union's,
    /// and the "*" rules of the kinds it has no rule of its own for.
    /// </summary>
    public IReadOnlyList<CustomsRule> For(CountryCode destination)
    {
        var own = Rules.Where(r => r.Where == destination.Value || (r.Where == "EU" && CustomsUnions.InEu(destination))).ToList();
        return [.. own, .. Rules.Where(r => r.Where == Everywhere && !own.Any(o => o.Kind == r.Kind))];
    }

    /// <summary>The rules that apply to goods sent to <paramref name="destination"/> on <paramref name="date"/>: its own and its union's.</summary>
    public IReadOnlyList<CustomsRule> InForce(CountryCode destination, DateOnly date) =>
        [.. For(destination).Where(r => r.InForceOn(date))];

    /// <summary>The embargo on a destination on a date, if any.</summary>
    public CustomsRule? EmbargoOn(CountryCode destination, DateOnly date) => InForce(destination, date).FirstOrDefault(r => r.Kind == Embargo);

    /// <exception cref="InvalidDataException">The file breaks a rule of its format: the message names every problem.</exception>
    public static CustomsRuleBook Load(string path)
    {
        RuleBookFile file;
        try
        {
            file = JsonSerializer.Deserialize<RuleBookFile>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        var problems = new List<string>();
        var rules = new List<CustomsRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (r, index) in (file.Rules ?? []).Select((r, i) => (r, i)))
        {
            var name = r.Id ?? $"rule {index + 1}";
            void Problem(string text) => problems.Add($"{name}: {text}");
            if (r.Id is null || !ids.Add(r.Id))
            {
                Problem("an id, unique in the file, is required.");
            }
            if (r.Where is null || (r.Where is not ("EU" or Everywhere) && !CountryCode.TryCreate(r.Where, out _, out _)))
            {
                Problem($"where '{r.Where}' is neither a country code, EU nor *.");
            }
            if (r.Kind is null || !Kinds.Contains(r.Kind))
            {
                Problem($"kind '{r.Kind}' is not one of {string.Join(", ", Kinds)}.");
            }
            var from = Date(r.From, DateOnly.MinValue, "from");
            var to = r.To is null ? (DateOnly?)null : Date(r.To, DateOnly.MaxValue, "to");
            if (to < from)
            {
                Problem($"it ends ({r.To}) before it starts ({r.From}).");
            }
            Currency? currency = null;
            if (MoneyKinds.Contains(r.Kind))
            {
                if (r.Amount is not >= 0)
                {
                    Problem("an amount of 0 or more is required.");
                }
                if (!Common.Currency.TryCreate(r.Currency, out var c, out _))
                {
                    Problem($"currency '{r.Currency}' is not an ISO 4217 code.");
                }
                else
                {
                    currency = c;
                }
                if (r.Basis is null || !Bases.Contains(r.Basis))
                {
                    Problem($"basis '{r.Basis}' is not one of {string.Join(", ", Bases)}.");
                }
            }
            if (r.Kind == Scheme && (r.Scheme is null || !CustomsSchemes.All.ContainsKey(r.Scheme)))
            {
                Problem($"scheme '{r.Scheme}' is not a scheme of /v1/settings.");
            }
            if (r.Kind is FlatDuty or Fee && r.Per is not ("item" or "item_category" or "consignment"))
            {
                Problem($"per '{r.Per}' is not item, item_category or consignment.");
            }
            if (r.Kind == DutyFreeChapters && (r.Chapters is not [var first, var last] || first < 1 || last > 97 || first > last))
            {
                Problem("chapters is [first, last], from 1 to 97.");
            }
            if (PercentKinds.Contains(r.Kind) && r.Percent is not (> 0 and <= 100))
            {
                Problem("percent is above 0 and at most 100.");
            }
            if ((r.Max is not null || r.Kind == DutyBands) && !MoneyKinds.Contains(r.Kind))
            {
                if (!Common.Currency.TryCreate(r.Currency, out var c, out _))
                {
                    Problem($"currency '{r.Currency}' is not an ISO 4217 code.");
                }
                else
                {
                    currency = c;
                }
            }
            if (r.Kind == DutyBands && (r.Bands is not { Count: > 0 } bands || bands.Any(b => b.UpTo is not > 0 || b.Percent is not (>= 0 and <= 100) || b.Deduct is not >= 0)
                || bands.Zip(bands.Skip(1)).Any(p => p.First.UpTo >= p.Second.UpTo)))
            {
                Problem("bands are [{upTo, percent, deduct}], upTo rising, percent from 0 to 100, deduct 0 or more.");
            }
            if (r.Kind == Valuation && (r.IncludesShipping is null || r.TaxIncludesShipping is null))
            {
                Problem("a valuation says includesShipping and taxIncludesShipping.");
            }
            foreach (var excluded in r.Excludes ?? [])
            {
                if (file.Categories?.ContainsKey(excluded) != true)
                {
                    Problem($"excludes '{excluded}', which is not a category.");
                }
            }
            if (r.Kind == Embargo && string.IsNullOrWhiteSpace(r.Reason))
            {
                Problem("an embargo states its reason.");
            }
            Provenance.Check(r.Source, r.Verified, r.Note, "rule", Problem);
            foreach (var (field, places) in new[] { ("shippedFrom", r.ShippedFrom), ("notShippedFrom", r.NotShippedFrom), ("originIn", r.OriginIn), ("originNotIn", r.OriginNotIn) })
            {
                foreach (var place in places ?? [])
                {
                    if (place != "EU" && !CountryCode.TryCreate(place, out _, out _))
                    {
                        Problem($"{field} '{place}' is neither a country code nor EU.");
                    }
                }
            }
            if (r.Mode is not (null or "postal" or "courier"))
            {
                Problem($"mode '{r.Mode}' is neither postal nor courier.");
            }
            rules.Add(new CustomsRule(r.Id ?? name, r.Where ?? "", r.Kind ?? "", from, to, r.Amount, currency, r.Basis, r.Scheme, r.Per, r.Max,
                r.IncludesShipping ?? false, r.Excludes ?? [], r.ShippedFrom ?? [], r.Mode, r.Chapters ?? [], r.Percent, r.Reason, r.Source ?? "", r.Verified ?? false, r.Note)
            {
                TaxIncludesShipping = r.TaxIncludesShipping ?? false,
                TaxGrossUp = r.TaxGrossUp ?? false,
                Strict = r.Strict ?? false,
                NotShippedFrom = r.NotShippedFrom ?? [],
                OriginIn = r.OriginIn ?? [],
                OriginNotIn = r.OriginNotIn ?? [],
                Bands = [.. (r.Bands ?? []).Select(b => new DutyBand(b.UpTo ?? 0, b.Percent ?? 0, b.Deduct ?? 0))],
            });

            DateOnly Date(string? text, DateOnly absent, string field)
            {
                if (text is null)
                {
                    return absent;
                }
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return date;
                }
                Problem($"{field} '{text}' is not a yyyy-MM-dd date.");
                return absent;
            }
        }
        var categories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (category, element) in file.Categories ?? [])
        {
            if (category == "about")
            {
                continue;
            }
            var prefixes = element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : null;
            if (prefixes is null || prefixes.Any(p => p.Length is not (2 or 4 or 6) || !p.All(char.IsAsciiDigit)))
            {
                problems.Add($"category {category}: a list of HS chapters, headings or subheadings (2, 4 or 6 digits).");
                continue;
            }
            categories[category] = prefixes;
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {string.Join(" ", problems)}");
        }
        return new CustomsRuleBook(rules, categories);
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record RuleBookFile(
        string? About, string? Source, string? Licence, string? EffectiveFrom, Dictionary<string, string>? Kinds, Dictionary<string, JsonElement>? Categories, List<RuleFile>? Rules);

    private sealed record RuleFile(
        string? Id, string? Where, string? Kind, string? From, string? To, decimal? Amount, string? Currency, string? Basis, string? Scheme, string? Per,
        decimal? Max, bool? IncludesShipping, List<string>? Excludes, List<string>? ShippedFrom, string? Mode, List<int>? Chapters, decimal? Percent,
        string? Reason, string? Source, bool? Verified, string? Note, bool? TaxIncludesShipping, bool? TaxGrossUp, bool? Strict, List<string>? NotShippedFrom,
        List<string>? OriginIn, List<string>? OriginNotIn, List<BandFile>? Bands);

    private sealed record BandFile(decimal? UpTo, decimal? Percent, decimal? Deduct);
}
