using System.Text.RegularExpressions;
using Waybill.Server.Web;
using Xunit;

namespace Waybill.Server.Tests;

/// <summary>The web pages' texts (<c>data/web</c>): every locale says everything English says, with the same placeholders.</summary>
public sealed partial class WebTextTests
{
    public static TheoryData<string> Locales() => [.. WebText.Default.Locales.Where(l => l != WebText.FallbackLocale)];

    [Fact]
    public void The_seven_locales_of_the_notifications_have_texts() =>
        Assert.Equal(["en", "de", "es", "fr", "it", "pt", "zh"], WebText.Default.Locales);

    [Theory]
    [MemberData(nameof(Locales))]
    public void Every_locale_has_every_english_text_with_the_same_placeholders(string locale)
    {
        var english = WebText.Default.KeysOf(WebText.FallbackLocale);
        var missing = english.Except(WebText.Default.KeysOf(locale)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{locale} lacks {missing.Count} texts: {string.Join(", ", missing)}");
        var extra = WebText.Default.KeysOf(locale).Except(english).ToList();
        Assert.True(extra.Count == 0, $"{locale} has texts English does not: {string.Join(", ", extra)}");
        foreach (var key in english)
        {
            var text = WebText.Default.Get(locale, key);
            Assert.False(string.IsNullOrWhiteSpace(text), $"{locale}: {key} is empty");
            Assert.Equal(Placeholders(WebText.Default.Get(WebText.FallbackLocale, key)), Placeholders(text));
        }
    }

    [Theory]
    [InlineData("de-CH", "de")]
    [InlineData("zh-Hans-CN", "zh")]
    [InlineData("PT_br", "pt")]
    [InlineData("fr", "fr")]
    [InlineData("ja", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_language_tag_reads_its_language(string? tag, string? expected) => Assert.Equal(expected, WebText.Default.Match(tag));

    [Fact]
    public void An_unknown_key_names_itself() =>
        Assert.Contains("no.such.key", Assert.Throws<KeyNotFoundException>(() => WebText.Default.Get("de", "no.such.key")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("a.en.json", """{ "x": 1 }""", "'x' is not a string")]
    [InlineData("noarea.json", """{ "x": "y" }""", "AREA.LOCALE.json")]
    [InlineData("a.de.json", """{ "x": "y" }""", "no English texts")]
    public void A_broken_text_file_stops_the_load_with_its_name(string file, string json, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("waybill-web-texts-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, file), json);
            var error = Assert.Throws<InvalidDataException>(() => WebText.Load(directory.FullName));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\{(\d+)(?::[^}]*)?\}")]
    private static partial Regex Placeholder();
}
