using System.Collections.Frozen;
using System.Text.Json;

namespace Waybill.Common;

/// <summary>An ISO 3166-1 alpha-2 country code (<c>DE</c>), checked against <c>data/iso/iso3166-codes.json</c>.</summary>
public readonly record struct CountryCode
{
    private static readonly FrozenSet<string> Known = Load();

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

    public static CountryCode Parse(string input) =>
        TryCreate(input, out var code, out var reason) ? code : throw new FormatException(reason);

    public override string ToString() => Value ?? "";

    private static FrozenSet<string> Load()
    {
        using var stream = File.OpenRead(ReferenceData.PathOf("iso", "iso3166-codes.json"));
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.EnumerateArray()
            .Select(row => row[0].GetString()!)
            .ToFrozenSet(StringComparer.Ordinal);
    }
}
