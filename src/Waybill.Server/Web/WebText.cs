using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Waybill.Common;

namespace Waybill.Server.Web;

/// <summary>
/// Every string of the web pages in every locale: <c>data/web/{area}.{locale}.json</c>, flat objects of key to text
/// (<c>{0}</c>-style placeholders). The areas (<c>common</c>, <c>track</c>, <c>dashboard</c>, ...) are merged per locale. A
/// key missing in a locale reads the English text (a test checks none is missing), and an unknown key stops the page with
/// its name, so that a typo is found by the first test that renders it.
/// </summary>
public sealed class WebText
{
    public const string FallbackLocale = "en";

    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _locales;

    private WebText(FrozenDictionary<string, FrozenDictionary<string, string>> locales) => _locales = locales;

    public static WebText Default { get; } = Load(ReferenceData.PathOf("web"));

    /// <summary>The locales with texts, English first, then by code.</summary>
    public IReadOnlyList<string> Locales { get; private init; } = [];

    public static WebText Load(string directory)
    {
        var texts = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)}: a text file is named AREA.LOCALE.json.");
            }
            var locale = name[(dot + 1)..];
            var into = texts.TryGetValue(locale, out var existing) ? existing : texts[locale] = new(StringComparer.Ordinal);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('_'))
                {
                    continue; // _source, _licence: the file's provenance
                }
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)}: '{property.Name}' is not a string.");
                }
                if (!into.TryAdd(property.Name, property.Value.GetString()!))
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)}: '{property.Name}' is defined twice for {locale}.");
                }
            }
        }
        if (!texts.ContainsKey(FallbackLocale))
        {
            throw new InvalidDataException($"{directory}: no English texts (*.{FallbackLocale}.json), the fallback of every locale.");
        }
        var frozen = texts.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);
        return new WebText(frozen)
        {
            Locales = [FallbackLocale, .. texts.Keys.Where(l => l != FallbackLocale).Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>The keys of a locale's texts (for the completeness test).</summary>
    public IReadOnlyCollection<string> KeysOf(string locale) => _locales.TryGetValue(locale, out var texts) ? texts.Keys : [];

    /// <summary>Whether there is a text of this key (in English, so in every locale).</summary>
    public bool Has(string key) => _locales[FallbackLocale].ContainsKey(key);

    public bool IsSupported(string locale) => _locales.ContainsKey(locale);

    /// <summary>The locale a language tag reads (<c>de-CH</c> reads <c>de</c>, <c>zh-Hans-CN</c> reads <c>zh</c>), or null.</summary>
    public string? Match(string? languageTag)
    {
        if (string.IsNullOrWhiteSpace(languageTag))
        {
            return null;
        }
        var tag = languageTag.Trim().ToLowerInvariant();
        if (_locales.ContainsKey(tag))
        {
            return tag;
        }
        var dash = tag.IndexOfAny(['-', '_']);
        return dash > 0 && _locales.ContainsKey(tag[..dash]) ? tag[..dash] : null;
    }

    public string Get(string locale, string key)
    {
        if (_locales.TryGetValue(locale, out var texts) && texts.TryGetValue(key, out var text))
        {
            return text;
        }
        return _locales[FallbackLocale].TryGetValue(key, out var english)
            ? english
            : throw new KeyNotFoundException($"No web text '{key}' (data/web/*.{FallbackLocale}.json).");
    }

    /// <summary>The culture that formats dates and numbers for a locale (<c>zh</c> as Simplified Chinese).</summary>
    public static CultureInfo CultureOf(string locale) => CultureInfo.GetCultureInfo(locale == "zh" ? "zh-Hans" : locale);
}
