using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Waybill.Server.Http;

/// <summary>
/// Turns what goes wrong before or around a handler into problem details: malformed JSON is a 400 naming the
/// field where parsing stopped; only real bugs are 500s, logged with the request's trace id.
/// </summary>
internal sealed partial class RequestErrors(ILogger<RequestErrors> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Web.WebErrorPage.IsPage(context) && exception is not OperationCanceledException)
        {
            var status = exception is BadHttpRequestException { StatusCode: >= 400 and < 500 } bad ? bad.StatusCode : 500;
            if (status == 500)
            {
                LogUnhandled(logger, context.TraceIdentifier, exception);
            }
            await Web.WebErrorPage.WriteAsync(context, status);
            return true;
        }
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException json }:
                await Problems.WriteAsync(context, 400, "request.malformed_json", "The request body is not valid JSON for this endpoint.",
                    new Dictionary<string, string[]> { [FieldOf(json.Path)] = [Clean(json.Message)] });
                return true;
            case BadHttpRequestException bad when bad.StatusCode == 415:
                await Problems.WriteAsync(context, 415, "request.unsupported_media_type", "Send the body as application/json.");
                return true;
            case BadHttpRequestException bad when bad.StatusCode == 413:
                await Problems.WriteAsync(context, 413, "request.too_large", "The request body is too large.");
                return true;
            case BadHttpRequestException bad:
                await Problems.WriteAsync(context, bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, "request.invalid", Clean(bad.Message));
                return true;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return true;
            default:
                LogUnhandled(logger, context.TraceIdentifier, exception);
                await Problems.WriteAsync(context, 500, "server.error", $"The server failed; quote trace id {context.TraceIdentifier} when reporting it.");
                return true;
        }
    }

    /// <summary><c>$.lines[0].quantity</c> becomes <c>lines[0].quantity</c>; the root is <c>body</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Clean(string message)
    {
        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "The value has the wrong JSON type for this field (a string, number, object or array was expected).";
        }
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in request {TraceId}")]
    private static partial void LogUnhandled(ILogger logger, string traceId, Exception exception);
}
