using System.Collections.Frozen;
using System.Text.Json;

namespace Waybill.Common;

/// <summary>English short names of countries (<c>data/iso/iso3166-names-en.json</c>), as printed on labels.</summary>
public static class CountryNames
{
    private static readonly Lazy<FrozenDictionary<string, string>> Names = new(Load);

    /// <summary>The English short name; the code itself when the file has none.</summary>
    public static string Of(CountryCode country) => Names.Value.GetValueOrDefault(country.Value, country.Value);

    private static FrozenDictionary<string, string> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(ReferenceData.PathOf("iso", "iso3166-names-en.json")));
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var country in document.RootElement.GetProperty("countries").EnumerateObject())
        {
            // A few countries have several names (an array): the first is the usual one.
            names[country.Name] = country.Value.ValueKind == JsonValueKind.Array ? country.Value[0].GetString()! : country.Value.GetString()!;
        }
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
