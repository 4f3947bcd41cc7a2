using System.Collections.Frozen;
using System.Text.Json;

namespace Waybill.Common;

/// <summary>An ISO 3166-1 alpha-2 country code (<c>DE</c>), checked against <c>data/iso/iso3166-codes.json</c>.</summary>
public readonly record struct CountryCode
{
    private static readonly FrozenSet<string> Known = Load();

    /// <summary>The known codes' strings by their letters (26 × first + second), for reading a code from bytes without allocating.</summary>
    private static readonly string?[] ByLetters = IndexByLetters();

    private CountryCode(string value) => Value = value;

    public string Value { get; }

    public static bool IsKnown(string code) => Known.Contains(code);

    public static bool TryCreate(string? input, out CountryCode code, out string? reason)
    {
        code = default;
        var text = input?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text))
        {
            reason = "A country is required (ISO 3166-1 alpha-2, e.g. DE).";
            return false;
        }
        if (!Known.Contains(text))
        {
            reason = $"'{input}' is not an ISO 3166-1 alpha-2 country code.";
            return false;
        }
        code = new CountryCode(text);
        reason = null;
        return true;
    }

    /// <summary>
    /// A known code written exactly as <see cref="Value"/> is (two upper-case ASCII letters), read from UTF-8 without
    /// allocating; false for anything else, which <see cref="TryCreate"/> judges (trimming, lower case, reasons).
    /// </summary>
    internal static bool TryCanonical(ReadOnlySpan<byte> utf8, out CountryCode code)
    {
        code = default;
        if (utf8.Length != 2 || !char.IsAsciiLetterUpper((char)utf8[0]) || !char.IsAsciiLetterUpper((char)utf8[1])
            || ByLetters[((utf8[0] - 'A') * 26) + (utf8[1] - 'A')] is not { } value)
        {
            return false;
        }
        code = new CountryCode(value);
        return true;
    }

    public static CountryCode Parse(string input) =>
        TryCreate(input, out var code, out var reason) ? code : throw new FormatException(reason);

    public override string ToString() => Value ?? "";

    private static string?[] IndexByLetters()
    {
        var index = new string?[26 * 26];
        foreach (var code in Known)
        {
            if (code is [>= 'A' and <= 'Z', >= 'A' and <= 'Z'])
            {
                index[((code[0] - 'A') * 26) + (code[1] - 'A')] = code;
            }
        }
        return index;
    }

    private static FrozenSet<string> Load()
    {
        using var stream = File.OpenRead(ReferenceData.PathOf("iso", "iso3166-codes.json"));
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.EnumerateArray()
            .Select(row => row[0].GetString()!)
            .ToFrozenSet(StringComparer.Ordinal);
    }
}
