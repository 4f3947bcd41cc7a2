using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Waybill.Common;

namespace Waybill.Tracking.Detection;

/// <summary>One format that the whole number (whitespace removed) matches, and how it validates.</summary>
/// <param name="Courier">The canonical courier code of the data (<c>fedex</c>, <c>s10</c>).</param>
/// <param name="FormatId">The format's <c>id</c> in the data, or its name where it has none.</param>
/// <param name="CheckDigitValid">The check digit holds; true for a format without one.</param>
/// <param name="Compliant">Every other rule of the data holds (<c>validation.additional.exists</c>; for S10 the service
/// indicator and the issuing country). A number is reported for a courier when both flags are true.</param>
public sealed record TrackingCandidate(string Courier, string FormatId, string FormatName, bool CheckDigitValid, bool Compliant);

/// <summary>A courier of the registry: its canonical code and the name the data gives it.</summary>
public sealed record Courier(string Code, string Name);

/// <summary>A set of couriers of one <see cref="CarrierRegistry"/>, as the fast path returns it (no allocation).</summary>
public readonly record struct CourierSet
{
    internal CourierSet(ulong bits) => Bits = bits;

    public bool IsEmpty => Bits == 0;

    public int Count => BitOperations.PopCount(Bits);

    internal ulong Bits { get; }
}

/// <summary>
/// The carrier registry: the courier definitions of <c>data/carriers</c> (jkeen/tracking_number_data), their
/// formats, validation and aliases. A format matches only the whole number with whitespace removed; a courier is
/// reported when one of its formats matches, its check digit holds and it is compliant.
/// </summary>
/// <remarks>
/// Per number the work is: strip whitespace, pick the formats whose regex can produce that length and first
/// character (both derived from the regexes once, see <see cref="PatternShape"/>), run only those regexes, and skip a
/// courier's remaining formats once it is found. Thread-safe.
/// </remarks>
public sealed class CarrierRegistry
{
    private const string S10Code = "s10";

    private static readonly Lazy<CarrierRegistry> Shared = new(() => Load(ReferenceData.PathOf("carriers"), RegexOptions.Compiled));

    /// <summary>Every character <see cref="char.IsWhiteSpace(char)"/> accepts (a test holds the two together).</summary>
    internal const string WhitespaceCharacters =
        "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

    private static readonly SearchValues<char> Whitespace = SearchValues.Create(WhitespaceCharacters);

    private readonly TrackingFormat[] _formats;
    private readonly ulong[] _courierBitOfFormat;
    private readonly string[] _codes;
    private readonly IssuerTable _issuers;

    /// <summary>Formats by the first character: ASCII 0-127, and 128 for any other.</summary>
    private readonly UInt128[] _byFirst = new UInt128[129];

    /// <summary>Formats by length: 0-63, and 64 for 64 or more.</summary>
    private readonly UInt128[] _byLength = new UInt128[65];

    /// <summary>The longest number any format can match (whitespace removed); int.MaxValue when unbounded.</summary>
    private readonly int _maxLength;

    private readonly FrozenDictionary<string, string> _aliases;
    private readonly ConcurrentDictionary<ulong, string> _joined = new();

    private CarrierRegistry(IReadOnlyList<Courier> couriers, IReadOnlyList<TrackingFormat> formats, IssuerTable issuers, FrozenDictionary<string, string> aliases)
    {
        if (couriers.Count > 64 || formats.Count > 128)
        {
            throw new InvalidDataException($"The registry holds at most 64 couriers and 128 formats; the data has {couriers.Count} and {formats.Count}.");
        }
        Couriers = couriers;
        _codes = [.. couriers.Select(c => c.Code)];
        _formats = [.. formats];
        _issuers = issuers;
        _aliases = aliases;
        _courierBitOfFormat = [.. _formats.Select(f => 1UL << Array.IndexOf(_codes, f.Courier))];
        _maxLength = 0;
        for (var i = 0; i < _formats.Length; i++)
        {
            var bit = UInt128.One << i;
            var shape = _formats[i].Shape;
            for (var c = 0; c < 128; c++)
            {
                if (shape.MayStartWith((char)c))
                {
                    _byFirst[c] |= bit;
                }
            }
            if (shape.FirstNonAscii)
            {
                _byFirst[128] |= bit;
            }
            for (var n = 0; n <= 64; n++)
            {
                if (shape.MayMatchLength(n))
                {
                    _byLength[n] |= bit;
                }
            }
            _maxLength = shape.Longer ? int.MaxValue : Math.Max(_maxLength, shape.MaxLength);
        }
    }

    /// <summary>The registry built from <c>data/carriers</c> beside the executable, loaded on first use.</summary>
    public static CarrierRegistry Default => Shared.Value;

    /// <summary>The couriers, sorted by code.</summary>
    public IReadOnlyList<Courier> Couriers { get; }

    internal IReadOnlyList<TrackingFormat> Formats => _formats;

    /// <summary>
    /// Loads every <c>*.json</c> courier definition in <paramref name="directory"/>. With
    /// <see cref="RegexOptions.Compiled"/>, a format's regex starts interpreted and is compiled in the background once
    /// the format is busy (<see cref="Prepare"/> compiles every one at once); without it, regexes stay interpreted.
    /// </summary>
    public static CarrierRegistry Load(string directory, RegexOptions regexOptions = RegexOptions.None)
    {
        var files = Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var documents = new List<(string, JsonDocument)>(files.Length);
        try
        {
            foreach (var file in files)
            {
                using var stream = File.OpenRead(file);
                documents.Add((Path.GetFileName(file), JsonDocument.Parse(stream)));
            }
            return Build(documents, CountryCode.IsKnown, regexOptions);
        }
        finally
        {
            foreach (var (_, document) in documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>A registry from courier definitions given as JSON text (tests).</summary>
    internal static CarrierRegistry FromJson(IEnumerable<string> definitions, Func<string, bool>? isCountry = null)
    {
        var documents = definitions.Select((json, i) => ($"definition {i}", JsonDocument.Parse(json))).ToList();
        try
        {
            return Build(documents, isCountry ?? CountryCode.IsKnown, RegexOptions.None);
        }
        finally
        {
            foreach (var (_, document) in documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>
    /// Every format that the whole number matches once whitespace is removed, with its check digit and compliance,
    /// sorted by courier code then in the data's order. Empty when nothing matches.
    /// </summary>
    public IReadOnlyList<TrackingCandidate> Candidates(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        var text = number;
        Span<char> buffer = stackalloc char[StackChars];
        var compact = Compact(number, buffer, ref text);
        List<TrackingCandidate>? candidates = null;
        for (var mask = FormatsFor(compact); mask != UInt128.Zero; mask &= mask - UInt128.One)
        {
            var format = _formats[(int)UInt128.TrailingZeroCount(mask)];
            if (format.NeedsCapture)
            {
                text ??= new string(compact);
            }
            var verdict = format.Evaluate(compact, text, _issuers);
            if (verdict.Matched)
            {
                (candidates ??= []).Add(new TrackingCandidate(format.Courier, format.Id, format.Name, verdict.CheckDigitValid, verdict.Compliant));
            }
        }
        return candidates ?? [];
    }

    /// <summary>The couriers reported for the number: a format matches, its check digit holds and it is compliant.</summary>
    public CourierSet Detect(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return Detect(number, number);
    }

    /// <inheritdoc cref="Detect(string)"/>
    public CourierSet Detect(ReadOnlySpan<char> number) => Detect(number, null);

    /// <summary>The courier codes of <paramref name="couriers"/>, sorted and comma-separated; cached, so free after the first call.</summary>
    public string Join(CourierSet couriers)
    {
        var bits = couriers.Bits;
        if (bits == 0)
        {
            return "";
        }
        if ((bits & (bits - 1)) == 0)
        {
            return _codes[BitOperations.TrailingZeroCount(bits)];
        }
        return _joined.GetOrAdd(bits, static (b, codes) =>
        {
            var text = new StringBuilder();
            for (var rest = b; rest != 0; rest &= rest - 1)
            {
                text.Append(text.Length > 0 ? "," : "").Append(codes[BitOperations.TrailingZeroCount(rest)]);
            }
            return text.ToString();
        }, _codes);
    }

    /// <summary>The courier codes of <paramref name="couriers"/>, sorted.</summary>
    public IReadOnlyList<string> CodesOf(CourierSet couriers)
    {
        var codes = new List<string>(couriers.Count);
        for (var rest = couriers.Bits; rest != 0; rest &= rest - 1)
        {
            codes.Add(_codes[BitOperations.TrailingZeroCount(rest)]);
        }
        return codes;
    }

    /// <summary>
    /// The canonical courier code for a code, a courier's name, its data file's name, or one of its format ids or
    /// names, ignoring case, spaces and punctuation (<c>"FedEx"</c>, <c>"Canada Post"</c>, <c>"canadapost"</c>,
    /// <c>"DHL Express"</c>); null when unknown or shared by two couriers.
    /// </summary>
    public string? Canonical(string nameOrAlias)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        return _aliases.GetValueOrDefault(AliasKey(nameOrAlias));
    }

    /// <summary>Creates every format's regex now (checks the data; moves the cost out of the first numbers).</summary>
    public void Prepare()
    {
        foreach (var format in _formats)
        {
            format.Prepare();
        }
    }

    /// <summary>Whether the prefilter lets <paramref name="format"/> see the whitespace-free number (tests).</summary>
    internal bool Admits(TrackingFormat format, ReadOnlySpan<char> compact) =>
        (FormatsFor(compact) & (UInt128.One << Array.IndexOf(_formats, format))) != UInt128.Zero;

    /// <summary>The number as formats see it: whitespace removed.</summary>
    internal static string RemoveWhitespace(string number) =>
        number.AsSpan().IndexOfAny(Whitespace) < 0 ? number : string.Concat(number.Where(c => !char.IsWhiteSpace(c)));

    private const int StackChars = 128;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CourierSet Detect(ReadOnlySpan<char> number, string? text)
    {
        Span<char> buffer = stackalloc char[StackChars];
        var compact = Compact(number, buffer, ref text);
        ulong found = 0;
        for (var mask = FormatsFor(compact); mask != UInt128.Zero; mask &= mask - UInt128.One)
        {
            var index = (int)UInt128.TrailingZeroCount(mask);
            var courier = _courierBitOfFormat[index];
            if ((found & courier) != 0)
            {
                continue; // the courier is already reported
            }
            var format = _formats[index];
            if (format.NeedsCapture)
            {
                text ??= new string(compact);
            }
            if (format.Evaluate(compact, text, _issuers).Reported)
            {
                found |= courier;
            }
        }
        return new CourierSet(found);
    }

    private UInt128 FormatsFor(ReadOnlySpan<char> compact) => compact.IsEmpty
        ? _byLength[0]
        : _byLength[Math.Min(compact.Length, 64)] & _byFirst[Math.Min(compact[0], (char)128)];

    /// <summary>
    /// The number without whitespace. <paramref name="text"/> stays the same string when nothing was removed and
    /// becomes null otherwise. A number longer than any format can match is cut at one character more than the longest
    /// format, which still matches nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<char> Compact(ReadOnlySpan<char> number, Span<char> buffer, ref string? text)
    {
        if (number.IndexOfAny(Whitespace) < 0)
        {
            return number;
        }
        text = null;
        if (_maxLength >= buffer.Length && number.Length > buffer.Length)
        {
            buffer = new char[number.Length]; // only when some format has no bound on its length
        }
        var limit = Math.Min(buffer.Length, _maxLength == int.MaxValue ? int.MaxValue : _maxLength + 1);
        var length = 0;
        foreach (var c in number)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }
            if (length == limit)
            {
                break;
            }
            buffer[length++] = c;
        }
        return buffer[..length];
    }

    private static CarrierRegistry Build(IReadOnlyList<(string Source, JsonDocument Document)> documents, Func<string, bool> isCountry, RegexOptions regexOptions)
    {
        var couriers = new List<(Courier Courier, string Source, List<TrackingFormat> Formats)>();
        foreach (var (source, document) in documents)
        {
            var root = document.RootElement;
            var code = Required(root, "courier_code", source);
            var name = Required(root, "name", source);
            if (couriers.Any(c => c.Courier.Code == code))
            {
                throw new InvalidDataException($"{source}: courier code '{code}' is defined twice.");
            }
            var formats = new List<TrackingFormat>();
            foreach (var definition in root.GetProperty("tracking_numbers").EnumerateArray())
            {
                var format = ParseFormat(code, definition, source, regexOptions);
                if (formats.Any(f => f.Id == format.Id))
                {
                    throw new InvalidDataException($"{source}: format '{format.Id}' is defined twice.");
                }
                formats.Add(format);
            }
            couriers.Add((new Courier(code, name), source, formats));
        }
        couriers.Sort((a, b) => string.CompareOrdinal(a.Courier.Code, b.Courier.Code));
        return new CarrierRegistry(
            [.. couriers.Select(c => c.Courier)],
            [.. couriers.SelectMany(c => c.Formats)],
            new IssuerTable(isCountry),
            Aliases(couriers.Select(c => (c.Courier, c.Source, (IReadOnlyList<TrackingFormat>)c.Formats))));
    }

    private static TrackingFormat ParseFormat(string courier, JsonElement definition, string source, RegexOptions regexOptions)
    {
        var name = Required(definition, "name", source);
        var id = definition.TryGetProperty("id", out var idElement) && idElement.GetString() is { Length: > 0 } given ? given : name;
        var where = $"{source} {id}";
        var regex = definition.GetProperty("regex");
        var pattern = regex.ValueKind == JsonValueKind.Array
            ? string.Concat(regex.EnumerateArray().Select(part => part.GetString()))
            : regex.GetString() ?? throw new InvalidDataException($"{where}: no regex.");

        ChecksumRule? checksum = null;
        PrependRule? prepend = null;
        var existsNames = new List<string>();
        if (definition.TryGetProperty("validation", out var validation))
        {
            // Every validation rule the data names is implemented; an unknown one fails loudly instead of passing.
            foreach (var rule in validation.EnumerateObject())
            {
                switch (rule.Name)
                {
                    case "checksum":
                        checksum = ChecksumRule.Parse(rule.Value, where);
                        break;
                    case "serial_number_format":
                        foreach (var part in rule.Value.EnumerateObject())
                        {
                            prepend = part.Name == "prepend_if"
                                ? new PrependRule(Required(part.Value, "matches_regex", where), Required(part.Value, "content", where))
                                : throw new InvalidDataException($"{where}: unknown serial_number_format rule '{part.Name}'.");
                        }
                        break;
                    case "additional":
                        foreach (var part in rule.Value.EnumerateObject())
                        {
                            existsNames.AddRange(part.Name == "exists"
                                ? part.Value.EnumerateArray().Select(e => e.GetString() ?? "")
                                : throw new InvalidDataException($"{where}: unknown additional rule '{part.Name}'."));
                        }
                        break;
                    default:
                        throw new InvalidDataException($"{where}: unknown validation rule '{rule.Name}'.");
                }
            }
        }

        var isS10 = courier == S10Code;
        var exists = new List<ExistsRule>();
        foreach (var needed in existsNames)
        {
            var additional = definition.TryGetProperty("additional", out var list)
                ? list.EnumerateArray().FirstOrDefault(a => a.TryGetProperty("name", out var n) && n.GetString() == needed)
                : default;
            if (additional.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{where}: validation needs the additional lookup '{needed}', which is missing.");
            }
            var group = Required(additional, "regex_group_name", where);
            var lookup = additional.GetProperty("lookup").EnumerateArray().ToList();
            exists.Add(new ExistsRule(
                needed,
                group,
                lookup.Where(l => l.TryGetProperty("matches", out _)).Select(l => l.GetProperty("matches").GetString() ?? ""),
                lookup.Where(l => l.TryGetProperty("matches_regex", out _)).Select(l => l.GetProperty("matches_regex").GetString() ?? ""),
                orIsoCountry: isS10 && group == "CountryCode"));
        }
        return new TrackingFormat(courier, id, name, pattern, regexOptions, checksum, prepend, exists, isS10);
    }

    /// <summary>
    /// Alias keys to courier codes. Codes win over courier names, names over file names, file names over format ids
    /// and names; a key two couriers share at the same rank is dropped rather than guessed.
    /// </summary>
    private static FrozenDictionary<string, string> Aliases(IEnumerable<(Courier Courier, string Source, IReadOnlyList<TrackingFormat> Formats)> couriers)
    {
        var list = couriers.ToList();
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var rank = 0; rank < 4; rank++)
        {
            var fresh = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var names = rank switch
                {
                    0 => [list[i].Courier.Code],
                    1 => [list[i].Courier.Name],
                    2 => [Path.GetFileNameWithoutExtension(list[i].Source)],
                    _ => list[i].Formats.SelectMany(f => new[] { f.Id, f.Name }).ToArray(),
                };
                foreach (var key in names.Select(AliasKey).Where(k => k.Length > 0 && !aliases.ContainsKey(k)))
                {
                    fresh[key] = fresh.TryGetValue(key, out var other) && other != list[i].Courier.Code ? null : list[i].Courier.Code;
                }
            }
            foreach (var (key, code) in fresh)
            {
                if (code is not null)
                {
                    aliases[key] = code;
                }
            }
        }
        return aliases.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string AliasKey(string name)
    {
        var key = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }
        return key.ToString();
    }

    private static string Required(JsonElement element, string property, string where) =>
        element.TryGetProperty(property, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidDataException($"{where}: '{property}' is missing.");
}
