using Microsoft.AspNetCore.Diagnostics;

namespace Waybill.Server.Http;

/// <summary>Bodies for answers the framework gives without one (no route, wrong verb, wrong media type).</summary>
internal static class StatusCodeProblems
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (Web.WebErrorPage.IsPage(http))
        {
            return Web.WebErrorPage.WriteAsync(http, http.Response.StatusCode);
        }
        var (code, detail) = http.Response.StatusCode switch
        {
            404 => ("request.not_found", $"Nothing is at {http.Request.Path}."),
            405 => ("request.method_not_allowed", $"{http.Request.Method} is not supported at {http.Request.Path}."),
            415 => ("request.unsupported_media_type", "Send the body as application/json (text/csv for imports)."),
            var status => ($"request.status_{status}", "The request could not be served."),
        };
        return Problems.WriteAsync(http, http.Response.StatusCode, code, detail);
    }
}
