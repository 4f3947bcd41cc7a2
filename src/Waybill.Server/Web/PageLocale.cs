using System.Globalization;
using Microsoft.AspNetCore.Http.Headers;

namespace Waybill.Server.Web;

/// <summary>
/// The language of one page view: <c>?lang=</c> (remembered in a cookie for the next pages), else the
/// <c>Accept-Language</c> header's best supported language, else <see cref="Fallback"/> (a tracking page sets the
/// buyer's order locale there), else English. Pages and the layout read their texts through it (<c>T["key"]</c>).
/// </summary>
public sealed class PageLocale(IHttpContextAccessor accessor, WebText texts)
{
    public const string CookieName = "waybill_lang";

    private string? _locale;

    /// <summary>The locale to use when neither the query nor the browser names a supported one (set before the first text is read).</summary>
    public string? Fallback { get; set; }

    public WebText Texts => texts;

    public string Locale => _locale ??= Resolve();

    public CultureInfo Culture => WebText.CultureOf(Locale);

    /// <summary>Text direction (every supported locale is left to right; kept for the <c>dir</c> attribute).</summary>
    public static string Direction => "ltr";

    public string this[string key] => texts.Get(Locale, key);

    /// <summary>Whether there is a text of this key (a carrier's code, a country, a field's message may have none).</summary>
    public bool Has(string key) => texts.Has(key);

    /// <summary>A text with its placeholders filled, numbers and dates in the viewer's culture.</summary>
    public string Format(string key, params object?[] args) => string.Format(Culture, texts.Get(Locale, key), args);

    private string Resolve()
    {
        var context = accessor.HttpContext;
        if (context is null)
        {
            return texts.Match(Fallback) ?? WebText.FallbackLocale;
        }
        var query = texts.Match(context.Request.Query["lang"].ToString());
        if (query is not null)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.Cookies.Append(CookieName, query, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = context.Request.IsHttps,
                    MaxAge = TimeSpan.FromDays(365),
                    IsEssential = true,
                });
            }
            return query;
        }
        if (texts.Match(context.Request.Cookies[CookieName]) is { } remembered)
        {
            return remembered;
        }
        var accepted = context.Request.GetTypedHeaders().AcceptLanguage;
        foreach (var language in accepted.OrderByDescending(l => l.Quality ?? 1))
        {
            if (language.Quality is not 0 && texts.Match(language.Value.Value) is { } match)
            {
                return match;
            }
        }
        return texts.Match(Fallback) ?? WebText.FallbackLocale;
    }
}
