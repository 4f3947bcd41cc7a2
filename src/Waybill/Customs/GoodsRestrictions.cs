using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>
/// One dated entry of <c>data/customs/goods-restrictions.json</c>: goods (HS 2022 chapters, headings or subheadings)
/// that a destination prohibits or restricts, with the source and whether it is verified.
/// </summary>
public sealed record GoodsRestriction(string Id, string Where, string Kind, IReadOnlyList<string> Hs, string Description, DateOnly From, DateOnly? To, string Source, bool Verified, string? Note)
{
    public bool InForceOn(DateOnly date) => From <= date && (To is null || date <= To);
}

/// <summary>
/// Prohibited and restricted goods per destination. A prohibition refuses a quote or order to the destination; a
/// restriction allows it but needs a licence or permit and is shown as a warning. An entry applies to a destination
/// when its <c>where</c> is the destination, the destination's union (<c>EU</c>) or <c>*</c> (every destination, for
/// international conventions such as CITES). Loaded strictly: an unknown field, kind or place, an HS prefix that is not
/// an HS 2022 chapter, heading or subheading, a bad date, a missing source, or an unverified entry without a note fails
/// the load naming the entry and every problem.
/// </summary>
public sealed class GoodsRestrictions
{
    public const string Prohibited = "prohibited";
    public const string Restricted = "restricted";

    /// <summary>The <c>where</c> of an entry that applies to every destination.</summary>
    public const string Everywhere = "*";

    private static readonly string[] Kinds = [Prohibited, Restricted];

    private static readonly Lazy<GoodsRestrictions> Shared = new(() => Load(ReferenceData.PathOf("customs", "goods-restrictions.json")));

    // Per destination with entries of its own: its own entries, then its union's, then everywhere's (file order within each).
    private readonly FrozenDictionary<CountryCode, Match[]> _prohibitedByCountry;
    private readonly FrozenDictionary<CountryCode, Match[]> _restrictedByCountry;
    private readonly Match[] _prohibitedInEu;
    private readonly Match[] _restrictedInEu;
    private readonly Match[] _prohibitedEverywhere;
    private readonly Match[] _restrictedEverywhere;

    private GoodsRestrictions(IReadOnlyList<GoodsRestriction> items)
    {
        Items = items;
        var countries = items.Where(i => i.Where is not ("EU" or Everywhere)).Select(i => CountryCode.Parse(i.Where)).Distinct().ToList();
        _prohibitedByCountry = countries.ToFrozenDictionary(c => c, c => MatchesFor(items, Prohibited, c.Value, CustomsUnions.InEu(c)));
        _restrictedByCountry = countries.ToFrozenDictionary(c => c, c => MatchesFor(items, Restricted, c.Value, CustomsUnions.InEu(c)));
        _prohibitedInEu = MatchesFor(items, Prohibited, null, inEu: true);
        _restrictedInEu = MatchesFor(items, Restricted, null, inEu: true);
        _prohibitedEverywhere = MatchesFor(items, Prohibited, null, inEu: false);
        _restrictedEverywhere = MatchesFor(items, Restricted, null, inEu: false);
    }

    public static GoodsRestrictions Default => Shared.Value;

    public IReadOnlyList<GoodsRestriction> Items { get; }

    /// <summary>
    /// hs6: HS 2022 subheading as int (e.g. 854340). The first prohibition in force on the date for goods of that
    /// subheading sent to the destination (its own entries, its union's ("EU"), and "*"), else null. No allocation.
    /// </summary>
    public GoodsRestriction? ProhibitedOn(CountryCode destination, DateOnly date, int hs6) => First(MatchesOf(destination, Prohibited), date, hs6);

    /// <summary>The first restriction (a licence or permit is needed) in force on the date, as <see cref="ProhibitedOn"/>.</summary>
    public GoodsRestriction? RestrictedOn(CountryCode destination, DateOnly date, int hs6) => First(MatchesOf(destination, Restricted), date, hs6);

    /// <summary>
    /// The entries of a kind that apply to a destination, in the order <see cref="ProhibitedOn"/> tries them, one per HS
    /// prefix (hs6 / Divisor == Prefix), whatever their dates.
    /// </summary>
    internal IEnumerable<(int Prefix, int Divisor, GoodsRestriction Entry)> MatchesFor(CountryCode destination, string kind) =>
        MatchesOf(destination, kind).Select(m => (m.Prefix, m.Divisor, m.Entry));

    /// <summary>A destination's entries of a kind: its own, else its union's ("EU"), else everywhere's.</summary>
    private Match[] MatchesOf(CountryCode destination, string kind)
    {
        var (byCountry, inEu, everywhere) = kind == Prohibited
            ? (_prohibitedByCountry, _prohibitedInEu, _prohibitedEverywhere)
            : (_restrictedByCountry, _restrictedInEu, _restrictedEverywhere);
        return byCountry.TryGetValue(destination, out var own) ? own
            : destination.Value is not null && CustomsUnions.InEu(destination) ? inEu
            : everywhere;
    }

    private static GoodsRestriction? First(Match[] matches, DateOnly date, int hs6)
    {
        if (hs6 is < 0 or > 999_999)
        {
            return null;
        }
        foreach (var m in matches)
        {
            if (hs6 / m.Divisor == m.Prefix && m.Entry.InForceOn(date))
            {
                return m.Entry;
            }
        }
        return null;
    }

    private static Match[] MatchesFor(IReadOnlyList<GoodsRestriction> items, string kind, string? country, bool inEu)
    {
        var own = items.Where(i => i.Kind == kind && country is not null && i.Where == country);
        var union = items.Where(i => i.Kind == kind && inEu && i.Where == "EU");
        var all = items.Where(i => i.Kind == kind && i.Where == Everywhere);
        return [.. own.Concat(union).Concat(all).SelectMany(i => i.Hs.Select(h => Match.Of(h, i)))];
    }

    /// <summary>An HS prefix as an int: goods of subheading hs6 match when hs6 / Divisor == Prefix.</summary>
    private readonly record struct Match(int Prefix, int Divisor, GoodsRestriction Entry)
    {
        public static Match Of(string hs, GoodsRestriction entry)
        {
            var digits = HsNomenclature.Digits(hs)!;
            return new Match(int.Parse(digits, CultureInfo.InvariantCulture), digits.Length switch { 2 => 10_000, 4 => 100, _ => 1 }, entry);
        }
    }

    /// <exception cref="InvalidDataException">The file breaks a rule of its format: the message names each entry and every problem.</exception>
    public static GoodsRestrictions Load(string path)
    {
        RestrictionsFile file;
        try
        {
            file = JsonSerializer.Deserialize<RestrictionsFile>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
        var problems = new List<string>();
        var items = new List<GoodsRestriction>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (file.Items is null)
        {
            problems.Add("items (a list) is required.");
        }
        foreach (var (r, index) in (file.Items ?? []).Select((r, i) => (r, i)))
        {
            var name = r.Id ?? $"item {index + 1}";
            void Problem(string text) => problems.Add($"{name}: {text}");
            if (r.Id is null || !ids.Add(r.Id))
            {
                Problem("an id, unique in the file, is required.");
            }
            if (r.Where is not ("EU" or Everywhere) && !(CountryCode.TryCreate(r.Where, out var place, out _) && place.Value == r.Where))
            {
                Problem($"where '{r.Where}' is neither a country code, EU nor *.");
            }
            if (r.Kind is null || !Kinds.Contains(r.Kind))
            {
                Problem($"kind '{r.Kind}' is not one of {string.Join(", ", Kinds)}.");
            }
            if (r.Hs is not { Count: > 0 })
            {
                Problem("hs (HS 2022 chapters, headings or subheadings) is required.");
            }
            foreach (var hs in r.Hs ?? [])
            {
                var digits = HsNomenclature.Digits(hs);
                if (digits is not { Length: 2 or 4 or 6 } || HsNomenclature.Default.Find(digits) is null)
                {
                    Problem($"hs '{hs}' is not an HS 2022 chapter, heading or subheading.");
                }
            }
            if (string.IsNullOrWhiteSpace(r.Description))
            {
                Problem("a description of the goods is required.");
            }
            var from = Date(r.From, "from");
            var to = r.To is null ? (DateOnly?)null : Date(r.To, "to");
            if (to < from)
            {
                Problem($"it ends ({r.To}) before it starts ({r.From}).");
            }
            Provenance.Check(r.Source, r.Verified, r.Note, "entry", Problem);
            items.Add(new GoodsRestriction(r.Id ?? name, r.Where ?? "", r.Kind ?? "", r.Hs ?? [], r.Description ?? "", from, to, r.Source ?? "", r.Verified ?? false, r.Note));

            DateOnly Date(string? text, string field)
            {
                if (text is null)
                {
                    Problem($"{field} (yyyy-MM-dd) is required.");
                    return DateOnly.MinValue;
                }
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return date;
                }
                Problem($"{field} '{text}' is not a yyyy-MM-dd date.");
                return DateOnly.MinValue;
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {string.Join(" ", problems)}");
        }
        return new GoodsRestrictions(items);
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record RestrictionsFile(string? About, string? Source, string? Licence, string? EffectiveFrom, Dictionary<string, string>? Kinds, List<ItemFile>? Items);

    private sealed record ItemFile(string? Id, string? Where, string? Kind, List<string>? Hs, string? Description, string? From, string? To, string? Source, bool? Verified, string? Note);
}
