using System.Collections.Frozen;
using System.Net;
using System.Text;
using System.Text.Json;
using Fluid;
using Waybill.Common;

namespace Waybill.Notifications;

/// <summary>A message ready to send: the subject, and the body as plain text and as HTML.</summary>
public sealed record RenderedMessage(string Locale, string Subject, string Text, string Html);

/// <summary>
/// The messages of every kind in every locale (<c>data/notifications/messages.{locale}.json</c>, Liquid templates rendered
/// with Fluid). A locale is chosen by the buyer's language (<c>pt-BR</c> reads <c>pt</c>), falling back to English.
/// Templates write plain text: the HTML part escapes it and wraps it in a small layout, so nothing a seller or buyer
/// typed (a name, an order reference) can inject markup.
/// </summary>
public sealed class NotificationTemplates
{
    public const string FallbackLocale = "en";

    private static readonly string[] CommonKeys = ["greeting", "track_button", "signature", "footer", "what_to_do"];

    private readonly FrozenDictionary<string, LocaleTemplates> _locales;

    private NotificationTemplates(FrozenDictionary<string, LocaleTemplates> locales) => _locales = locales;

    public static NotificationTemplates Default { get; } = Load(ReferenceData.PathOf("notifications"));

    public IReadOnlyCollection<string> Locales => _locales.Keys;

    private sealed record KindTemplates(IFluidTemplate Subject, IFluidTemplate Body, IFluidTemplate Action);

    private sealed record LocaleTemplates(string Locale, string Language, FrozenDictionary<string, IFluidTemplate> Common, FrozenDictionary<string, KindTemplates> Kinds);

    /// <summary>Reads and parses every locale's file; a template that does not parse stops the start with its place named.</summary>
    public static NotificationTemplates Load(string directory)
    {
        var parser = new FluidParser();
        IFluidTemplate Parse(string file, string where, string text) =>
            parser.TryParse(text, out var template, out var error)
                ? template
                : throw new InvalidDataException($"{file}: {where} is not a valid template: {error}");

        var locales = new Dictionary<string, LocaleTemplates>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "messages.*.json").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            var locale = root.GetProperty("locale").GetString()!;
            var common = CommonKeys.ToFrozenDictionary(k => k, k => Parse(file, $"common.{k}", root.GetProperty("common").GetProperty(k).GetString()!), StringComparer.Ordinal);
            var kinds = new Dictionary<string, KindTemplates>(StringComparer.Ordinal);
            foreach (var kind in root.GetProperty("kinds").EnumerateObject())
            {
                kinds[kind.Name] = new KindTemplates(
                    Parse(file, $"kinds.{kind.Name}.subject", kind.Value.GetProperty("subject").GetString()!),
                    Parse(file, $"kinds.{kind.Name}.body", kind.Value.GetProperty("body").GetString()!),
                    Parse(file, $"kinds.{kind.Name}.action", kind.Value.GetProperty("action").GetString()!));
            }
            var missing = NotificationKinds.Buyer.Concat(NotificationKinds.Seller.Select(k => $"seller_{k}")).Where(k => !kinds.ContainsKey(k)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException($"{file}: no message for {string.Join(", ", missing)}.");
            }
            locales[locale] = new LocaleTemplates(locale, root.GetProperty("language").GetString()!, common, kinds.ToFrozenDictionary(StringComparer.Ordinal));
        }
        if (!locales.ContainsKey(FallbackLocale))
        {
            throw new InvalidDataException($"{directory}: no messages.{FallbackLocale}.json, the fallback of every other locale.");
        }
        return new NotificationTemplates(locales.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The locale a language tag reads (<c>de-CH</c> reads <c>de</c>), or English when there is none.</summary>
    public string Choose(string? languageTag)
    {
        if (!string.IsNullOrWhiteSpace(languageTag))
        {
            var primary = languageTag.Trim().Split('-', '_')[0].ToLowerInvariant();
            if (_locales.ContainsKey(primary))
            {
                return primary;
            }
        }
        return FallbackLocale;
    }

    /// <summary>Renders a kind's message in a locale (chosen with <see cref="Choose"/>) with the given values (already formatted).</summary>
    public RenderedMessage Render(string locale, string kind, IReadOnlyDictionary<string, string?> values)
    {
        var templates = _locales.GetValueOrDefault(locale) ?? _locales[FallbackLocale];
        if (!templates.Kinds.TryGetValue(kind, out var message))
        {
            throw new ArgumentException($"No message for the kind '{kind}'.", nameof(kind));
        }
        var context = new TemplateContext();
        foreach (var (name, value) in values)
        {
            if (!string.IsNullOrEmpty(value))
            {
                context.SetValue(name, value);
            }
        }
        string R(IFluidTemplate t) => t.Render(context).Trim();

        var subject = string.Join(' ', R(message.Subject).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        var greeting = R(templates.Common["greeting"]);
        var body = R(message.Body);
        var action = R(message.Action);
        var trackButton = R(templates.Common["track_button"]);
        var whatToDo = R(templates.Common["what_to_do"]);
        var signature = R(templates.Common["signature"]);
        var footer = R(templates.Common["footer"]);
        var url = values.GetValueOrDefault("tracking_url") ?? "";

        var text = new StringBuilder();
        text.Append(greeting).Append("\n\n").Append(body).Append("\n\n");
        if (action.Length > 0)
        {
            text.Append(whatToDo).Append(":\n").Append(action).Append("\n\n");
        }
        text.Append(trackButton).Append(": ").Append(url).Append("\n\n").Append(signature).Append("\n\n-- \n").Append(footer).Append('\n');

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(templates.Locale).Append("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>")
            .Append(WebUtility.HtmlEncode(subject)).Append("</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a;max-width:600px;margin:0 auto;padding:16px\">\n");
        Paragraphs(html, greeting);
        Paragraphs(html, body);
        if (action.Length > 0)
        {
            html.Append("<h2 style=\"font-size:1.1em\">").Append(WebUtility.HtmlEncode(whatToDo)).Append("</h2>\n");
            Paragraphs(html, action);
        }
        html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(url)).Append("\" style=\"display:inline-block;background:#0b5cad;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none\">")
            .Append(WebUtility.HtmlEncode(trackButton)).Append("</a></p>\n");
        Paragraphs(html, signature);
        html.Append("<hr><p style=\"font-size:0.85em;color:#555\">").Append(WebUtility.HtmlEncode(footer)).Append("</p>\n</body></html>\n");
        return new RenderedMessage(templates.Locale, subject, text.ToString(), html.ToString());
    }

    private static void Paragraphs(StringBuilder html, string text)
    {
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>\n");
        }
    }
}
