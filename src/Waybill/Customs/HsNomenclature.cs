using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using nietras.SeparatedValues;
using Waybill.Common;

namespace Waybill.Customs;

/// <summary>A level of the nomenclature: a chapter (2 digits), heading (4) or subheading (6).</summary>
public enum HsLevel
{
    Chapter = 2,
    Heading = 4,
    Subheading = 6,
}

/// <summary>One row of the HS 2022 nomenclature.</summary>
public sealed record HsEntry(string Digits, string Description, HsLevel Level, string Section, string? Parent)
{
    /// <summary>The code as written in tariffs: <c>61</c>, <c>6109</c>, <c>6109.10</c>.</summary>
    public string Code => Level == HsLevel.Subheading ? $"{Digits[..4]}.{Digits[4..]}" : Digits;
}

/// <summary>A search hit: a subheading and how well it matches (relative; higher is better).</summary>
public sealed record HsMatch(HsEntry Subheading, double Score);

/// <summary>
/// The HS 2022 nomenclature (<c>data/hs</c>: 21 sections, 96 chapters, 1,228 headings, 5,612 subheadings, from the
/// WCO's HS via UN Comtrade, public domain) and a search over it by words. The search ranks subheadings by the words
/// of the query found in the subheading's description (full weight), its heading's (half) and its chapter's (a quarter),
/// each word weighted by its rarity (inverse document frequency), with plurals reduced, hyphens joined ("T-shirts" is
/// "tshirt"), words after "other than" or "excluding" counted at a fifth, and everyday words expanded to the
/// nomenclature's (<c>data/hs/synonyms.json</c>: "mug" also searches "tableware"). A subheading that matches more of
/// the query's words ranks higher; among equals, the shorter description. In memory, immutable, thread-safe.
/// </summary>
public sealed class HsNomenclature
{
    private const double SynonymWeight = 0.6;
    private const double NegatedWeight = 0.2;

    private static readonly Lazy<HsNomenclature> Shared = new(() => Load(
        ReferenceData.PathOf("hs", "harmonized-system.csv"), ReferenceData.PathOf("hs", "sections.csv"), ReferenceData.PathOf("hs", "synonyms.json")));

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "an", "and", "or", "of", "the", "for", "with", "in", "on", "to", "by", "its", "their", "whether", "not", "no",
        "nec", "item", "heading", "subheading", "than", "other", "including", "excluding", "except", "such", "as", "but",
        "this", "chapter", "from", "at", "be", "is", "are", "like", "similar", "kind", "used", "type", "etc",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, HsEntry> _byDigits;
    private readonly FrozenDictionary<string, HsEntry>.AlternateLookup<ReadOnlySpan<char>> _byDigitSpan;
    private readonly HsEntry[] _subheadings;
    private SubheadingOrdinals? _ordinals;
    private string[]? _digits;
    private readonly FrozenDictionary<string, (int Doc, float Weight)[]> _postings;
    private readonly FrozenDictionary<string, double> _idf;
    private readonly FrozenDictionary<string, string[][]> _synonyms;
    private readonly FrozenDictionary<string, string> _sections;
    private readonly float[] _lengthPenalty;

    private HsNomenclature(List<HsEntry> entries, Dictionary<string, string> sections, Dictionary<string, string[][]> synonyms)
    {
        _byDigits = entries.ToFrozenDictionary(e => e.Digits, StringComparer.Ordinal);
        _byDigitSpan = _byDigits.GetAlternateLookup<ReadOnlySpan<char>>();
        _subheadings = [.. entries.Where(e => e.Level == HsLevel.Subheading).OrderBy(e => e.Digits, StringComparer.Ordinal)];
        _sections = sections.ToFrozenDictionary(StringComparer.Ordinal);
        _synonyms = synonyms.ToFrozenDictionary(StringComparer.Ordinal);
        _lengthPenalty = new float[_subheadings.Length];

        var postings = new Dictionary<string, Dictionary<int, float>>(StringComparer.Ordinal);
        for (var doc = 0; doc < _subheadings.Length; doc++)
        {
            var sub = _subheadings[doc];
            var heading = _byDigits.GetValueOrDefault(sub.Digits[..4]);
            var chapter = _byDigits.GetValueOrDefault(sub.Digits[..2]);
            Add(doc, sub.Description, 1f);
            if (heading is not null)
            {
                Add(doc, heading.Description, 0.5f);
            }
            if (chapter is not null)
            {
                Add(doc, chapter.Description, 0.25f);
            }
            _lengthPenalty[doc] = 1f / (1f + (sub.Description.Length / 400f));
        }
        _postings = postings.ToFrozenDictionary(p => p.Key, p => p.Value.Select(kv => (kv.Key, kv.Value)).OrderBy(x => x.Key).ToArray(), StringComparer.Ordinal);
        _idf = postings.ToFrozenDictionary(p => p.Key, p => Math.Log(1 + (_subheadings.Length / (double)p.Value.Count)), StringComparer.Ordinal);

        void Add(int doc, string text, float weight)
        {
            foreach (var (term, factor) in Terms(text))
            {
                if (!postings.TryGetValue(term, out var docs))
                {
                    postings[term] = docs = [];
                }
                var w = weight * factor;
                if (!docs.TryGetValue(doc, out var existing) || existing < w)
                {
                    docs[doc] = w;
                }
            }
        }
    }

    public static HsNomenclature Default => Shared.Value;

    public int SubheadingCount => _subheadings.Length;

    /// <summary>Every subheading, in code order.</summary>
    public IReadOnlyList<HsEntry> Subheadings => _subheadings;

    /// <summary>The subheadings as dense indexes (0 to <see cref="SubheadingCount"/> - 1), for tables kept per subheading.</summary>
    internal SubheadingOrdinals Ordinals => _ordinals ??= new SubheadingOrdinals([.. _subheadings.Select(s => int.Parse(s.Digits, CultureInfo.InvariantCulture))]);

    /// <summary>
    /// The digits of the subheading at <paramref name="ordinal"/> (<see cref="SubheadingOrdinals.Of"/>); null for -1. From
    /// an array of the strings by ordinal: a request's reader reads one slot, not the subheading's entry.
    /// </summary>
    internal string? SubheadingAt(int ordinal) => ordinal >= 0 ? (_digits ??= [.. _subheadings.Select(s => s.Digits)])[ordinal] : null;

    /// <exception cref="InvalidDataException">A file is malformed (the message names the row).</exception>
    public static HsNomenclature Load(string nomenclaturePath, string sectionsPath, string synonymsPath)
    {
        var entries = new List<HsEntry>();
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(nomenclaturePath))
        {
            foreach (var row in reader)
            {
                var digits = row["hscode"].ToString();
                var level = row["level"].ToString();
                if (!digits.All(char.IsAsciiDigit) || level is not ("2" or "4" or "6") || digits.Length != int.Parse(level, CultureInfo.InvariantCulture))
                {
                    throw new InvalidDataException($"{nomenclaturePath}: row {row.RowIndex}: '{digits}' at level '{level}' is not an HS chapter, heading or subheading.");
                }
                var parent = row["parent"].ToString();
                entries.Add(new HsEntry(digits, row["description"].ToString(), (HsLevel)digits.Length, row["section"].ToString(), digits.Length == 2 ? null : parent));
            }
        }
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(sectionsPath))
        {
            foreach (var row in reader)
            {
                sections[row["section"].ToString()] = row["name"].ToString();
            }
        }
        using var stream = File.OpenRead(synonymsPath);
        using var json = JsonDocument.Parse(stream);
        // Each synonym is a phrase: its terms, as the search makes them.
        var synonyms = json.RootElement.GetProperty("synonyms").EnumerateObject()
            .ToDictionary(p => Stem(p.Name), p => p.Value.EnumerateArray().Select(v => Terms(v.GetString()!).Select(t => t.Term).Distinct().ToArray()).Where(t => t.Length > 0).ToArray(), StringComparer.Ordinal);
        var known = entries.Select(e => e.Digits).ToHashSet(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => e.Parent is not null && !known.Contains(e.Parent)))
        {
            throw new InvalidDataException($"{nomenclaturePath}: {e.Digits}'s parent {e.Parent} is not in the file.");
        }
        return new HsNomenclature(entries, sections, synonyms);
    }

    /// <summary>A chapter, heading or subheading by its digits (dots and spaces ignored), else null.</summary>
    public HsEntry? Find(string? code)
    {
        var digits = Digits(code);
        return digits is null ? null : _byDigits.GetValueOrDefault(digits);
    }

    /// <summary>Whether a code of 6 to 10 digits names an HS 2022 subheading (a national code: its first six digits do).</summary>
    public bool Exists(HsCode code) => code.Digits is { Length: >= 6 } digits && _byDigitSpan.ContainsKey(digits.AsSpan(0, 6));

    /// <summary>The entry's ancestors and itself, chapter first.</summary>
    public IReadOnlyList<HsEntry> PathOf(HsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = new List<HsEntry> { entry };
        while (path[0].Parent is { } parent && _byDigits.TryGetValue(parent, out var up))
        {
            path.Insert(0, up);
        }
        return path;
    }

    /// <summary>The name of a section (I to XXI).</summary>
    public string? SectionName(string section) => _sections.GetValueOrDefault(section);

    /// <summary>
    /// The subheadings that best match the query's words, best first (at most <paramref name="limit"/>). A query of
    /// digits (dots and spaces allowed) lists the subheadings under that code instead.
    /// </summary>
    public IReadOnlyList<HsMatch> Search(string? query, int limit = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }
        if (Digits(query) is { Length: >= 2 } prefix)
        {
            var six = prefix.Length > 6 ? prefix[..6] : prefix;
            return _subheadings.Where(s => s.Digits.StartsWith(six, StringComparison.Ordinal)).Take(limit).Select(s => new HsMatch(s, 1)).ToList();
        }

        var words = new List<string>();
        foreach (var (term, _) in Terms(query))
        {
            // Two words that are one everyday word ("power bank": powerbank) are taken as that word.
            if (words.Count > 0 && _synonyms.ContainsKey(words[^1] + term))
            {
                words[^1] += term;
            }
            else if (!words.Contains(term))
            {
                words.Add(term);
            }
        }
        if (words.Count == 0)
        {
            return [];
        }
        var scores = new double[_subheadings.Length];
        var matched = new int[_subheadings.Length];
        var top = 0.0;
        foreach (var word in words)
        {
            // A word counts once per subheading: by itself, else by its best synonym phrase (by the share of the phrase's
            // weight the subheading has).
            var best = new Dictionary<int, double>();
            Collect([word], 1.0);
            var idfMax = _idf.GetValueOrDefault(word);
            if (_synonyms.TryGetValue(word, out var phrases))
            {
                foreach (var phrase in phrases)
                {
                    Collect(phrase, SynonymWeight);
                    idfMax = Math.Max(idfMax, phrase.Average(t => _idf.GetValueOrDefault(t)));
                }
            }
            top += idfMax;
            foreach (var (doc, score) in best)
            {
                scores[doc] += score;
                matched[doc]++;
            }

            void Collect(string[] phrase, double weight)
            {
                var sums = new Dictionary<int, double>();
                foreach (var term in phrase)
                {
                    if (!_postings.TryGetValue(term, out var docs))
                    {
                        continue;
                    }
                    var idf = _idf[term];
                    foreach (var (doc, w) in docs)
                    {
                        sums[doc] = sums.GetValueOrDefault(doc) + (idf * w);
                    }
                }
                foreach (var (doc, sum) in sums)
                {
                    var s = sum / phrase.Length * weight;
                    if (!best.TryGetValue(doc, out var current) || current < s)
                    {
                        best[doc] = s;
                    }
                }
            }
        }
        var hits = new List<HsMatch>();
        var coverageOf = 1.0 / words.Count;
        var ranked = new PriorityQueue<int, (double Score, int Doc)>(Comparer<(double Score, int Doc)>.Create((a, b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Doc.CompareTo(a.Doc)));
        for (var doc = 0; doc < scores.Length; doc++)
        {
            if (matched[doc] == 0)
            {
                continue;
            }
            var coverage = matched[doc] * coverageOf;
            var score = scores[doc] * coverage * coverage * _lengthPenalty[doc] / Math.Max(top, 1e-9);
            scores[doc] = score;
            ranked.Enqueue(doc, (score, doc));
            if (ranked.Count > limit)
            {
                ranked.Dequeue();
            }
        }
        while (ranked.TryDequeue(out var doc, out _))
        {
            hits.Add(new HsMatch(_subheadings[doc], Math.Round(scores[doc], 4)));
        }
        hits.Reverse();
        return hits;
    }

    /// <summary>Digits only (dots and spaces removed), or null when the text has anything else.</summary>
    public static string? Digits(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        var digits = new StringBuilder(code.Length);
        foreach (var c in code.Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not ('.' or ' '))
            {
                return null;
            }
        }
        return digits.Length == 0 ? null : digits.ToString();
    }

    /// <summary>
    /// The words of a text as search terms: lower case, hyphens and apostrophes inside words dropped, plurals reduced,
    /// stop words left out; words after "other than", "excluding", "except" or "not" (up to the next ';', ',' or ')')
    /// with a lower factor.
    /// </summary>
    internal static IEnumerable<(string Term, float Factor)> Terms(string text)
    {
        var negated = false;
        var previous = "";
        var word = new StringBuilder();
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? char.ToLowerInvariant(text[i]) : ' ';
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
                continue;
            }
            if ((c is '-' or '\'' or '’') && word.Length > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                continue; // t-shirt, men's
            }
            if (word.Length > 0)
            {
                var raw = word.ToString();
                word.Clear();
                if ((raw == "than" && previous == "other") || raw is "excluding" or "except" or "not")
                {
                    negated = true;
                }
                previous = raw;
                var term = Stem(raw);
                if (term.Length > 1 && !StopWords.Contains(term) && !StopWords.Contains(raw))
                {
                    yield return (term, negated ? (float)NegatedWeight : 1f);
                }
            }
            if (c is ';' or ',' or ')')
            {
                negated = false;
            }
        }
    }

    /// <summary>A word reduced to its singular, roughly (English plurals; enough for a search, not a grammar).</summary>
    internal static string Stem(string word)
    {
        var w = word.ToLowerInvariant();
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            return w[..^3] + "y";
        }
        if (w.Length > 4 && (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("ches", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal) || w.EndsWith("xes", StringComparison.Ordinal)))
        {
            return w[..^2];
        }
        if (w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            return w[..^1];
        }
        return w;
    }
}

/// <summary>
/// HS subheadings (as ints, 610910) numbered densely in code order: a table kept per subheading is an array indexed by
/// <see cref="Of"/>. A subheading is found through its heading (the first four digits), then among that heading's few
/// subheadings: two small arrays read, no search.
/// </summary>
internal sealed class SubheadingOrdinals
{
    private const int Headings = 10_000;

    private readonly int[] _subheadings;
    private readonly ushort[] _headingStarts = new ushort[Headings + 1];

    public SubheadingOrdinals(int[] sortedSubheadings)
    {
        _subheadings = sortedSubheadings;
        // _headingStarts[h] is the ordinal of heading h's first subheading; its subheadings end where h + 1's start.
        var next = 0;
        for (var heading = 0; heading <= Headings; heading++)
        {
            while (next < _subheadings.Length && _subheadings[next] / 100 < heading)
            {
                next++;
            }
            _headingStarts[heading] = checked((ushort)next);
        }
    }

    public int Count => _subheadings.Length;

    /// <summary>The ordinal of a subheading, or -1 when it is not one of the nomenclature's.</summary>
    public int Of(int subheading)
    {
        if ((uint)subheading >= Headings * 100)
        {
            return -1;
        }
        var heading = subheading / 100;
        var end = _headingStarts[heading + 1];
        for (var i = _headingStarts[heading]; i < end; i++)
        {
            if (_subheadings[i] == subheading)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The subheading of an ordinal.</summary>
    public int At(int ordinal) => _subheadings[ordinal];
}
