using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Waybill.Common;

/// <summary>
/// Postal-code formats per country, from <c>data/postal-codes/postal-codes.json</c> (see its SOURCE.md).
/// A code given for a listed country must match its format; it is required where the data says the country's
/// post requires one. A country without postal codes (HK, AE) needs none.
/// </summary>
public static class PostalCodes
{
    private static readonly (FrozenDictionary<string, (Regex Pattern, bool Required)> Patterns, FrozenSet<string> NoCode) Formats = Load();

    /// <summary>Trims and upper-cases a postal code, the form the patterns are written for.</summary>
    public static string? Normalize(string? input) =>
        string.IsNullOrWhiteSpace(input) ? null : input.Trim().ToUpperInvariant();

    public static bool UsesPostalCodes(CountryCode country) => !Formats.NoCode.Contains(country.Value);

    public static bool HasFormat(CountryCode country) => Formats.Patterns.ContainsKey(country.Value);

    /// <summary>Checks <paramref name="input"/> against the country's format; null when it is acceptable.</summary>
    public static string? Check(CountryCode country, string? input)
    {
        var code = Normalize(input);
        if (Formats.Patterns.TryGetValue(country.Value, out var format))
        {
            if (code is null)
            {
                return format.Required ? $"A postal code is required for {country}." : null;
            }
            return format.Pattern.IsMatch(code) ? null : $"'{input}' is not a postal code of {country}.";
        }
        if (code is not null && code.Length > 20)
        {
            return "A postal code has at most 20 characters.";
        }
        return null;
    }

    private static (FrozenDictionary<string, (Regex, bool)>, FrozenSet<string>) Load()
    {
        using var stream = File.OpenRead(ReferenceData.PathOf("postal-codes", "postal-codes.json"));
        using var doc = JsonDocument.Parse(stream);
        var patterns = doc.RootElement.GetProperty("countries").EnumerateObject().ToFrozenDictionary(
            c => c.Name,
            c => (new Regex(c.Value.GetProperty("pattern").GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
                  c.Value.GetProperty("required").GetBoolean()),
            StringComparer.Ordinal);
        var none = doc.RootElement.TryGetProperty("noPostalCode", out var list)
            ? list.EnumerateArray().Select(e => e.GetString()!).ToFrozenSet(StringComparer.Ordinal)
            : FrozenSet<string>.Empty;
        return (patterns, none);
    }
}
