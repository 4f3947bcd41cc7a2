using System.Net;

namespace Waybill.Server.Web;

/// <summary>
/// The answer a person gets when a page request fails without a page of its own (a form sent without its antiforgery
/// token, an unknown dashboard address, a server error): a small HTML page in the viewer's language, with the status
/// code, instead of the API's problem details. API requests (<c>/v1</c>) keep their problem details.
/// </summary>
internal static class WebErrorPage
{
    public static bool IsPage(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase)
        || context.Request.Path.StartsWithSegments("/track", StringComparison.OrdinalIgnoreCase);

    public static async Task WriteAsync(HttpContext context, int status)
    {
        var text = new PageLocale(new HttpContextAccessor { HttpContext = context }, WebText.Default);
        var known = status is 400 or 403 or 404 or 405 or 413 or 500 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "other";
        var title = text[$"error.{known}.title"];
        var detail = text[$"error.{known}.text"];
        var home = context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase) ? "/dashboard" : "/track";
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = $"""
            <!DOCTYPE html>
            <html lang="{E(text.Locale)}" dir="ltr">
            <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{E(title)} · Waybill</title>
                <link rel="icon" href="/favicon.ico">
                <link rel="stylesheet" href="/css/site.css">
            </head>
            <body>
                <header class="site-header"><div class="bar"><a class="brand" href="{home}">Waybill</a></div></header>
                <main id="main">
                    <h1>{E(title)}</h1>
                    <p>{E(detail)}</p>
                    <p class="hint">{E(text.Format("error.reference", status, context.TraceIdentifier))}</p>
                    <p><a href="{home}">{E(text["error.back"])}</a></p>
                </main>
            </body>
            </html>
            """;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(html);
    }
}
