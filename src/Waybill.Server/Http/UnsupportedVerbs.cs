using Waybill.Common;

namespace Waybill.Server.Http;

internal static class UnsupportedVerbs
{
    private static readonly string[] All = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>
    /// Verbs a resource does not support answer 405 (with <c>Allow</c>) for the tenant's own resource and 404 for
    /// any other id, so that no verb tells one tenant that another tenant's resource exists.
    /// </summary>
    public static void MapUnsupportedVerbs<THandler, TView>(
        this RouteGroupBuilder group, string pattern, string allow, string notFoundCode,
        Func<THandler, Guid, CancellationToken, Task<Result<TView>>> find)
        where THandler : notnull =>
        group.MapMethods(pattern, All.Where(v => v != allow).ToArray(), async Task<IResult> (string id, HttpContext context, THandler handler, CancellationToken ct) =>
            {
                if (!Guid.TryParse(id, out var guid) || !(await find(handler, guid, ct)).IsSuccess)
                {
                    return Problems.Of(404, notFoundCode, $"No such resource: {id}.");
                }
                context.Response.Headers.Allow = allow;
                return Problems.Of(405, "request.method_not_allowed", $"{context.Request.Method} is not supported here; use {allow}.");
            })
            .ExcludeFromDescription();
}
