using Microsoft.AspNetCore.Http.HttpResults;
using Waybill.Common;

namespace Waybill.Server.Http;

/// <summary>The one mapping from an expected failure to RFC 9457 problem details with a stable <c>code</c>.</summary>
internal static class Problems
{
    public static ProblemHttpResult From(Error error)
    {
        var status = error.Kind switch
        {
            ErrorKind.Validation => StatusCodes.Status400BadRequest,
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Errors is not null)
        {
            extensions["errors"] = error.Errors;
        }
        else if (error.Details is not null)
        {
            extensions["errors"] = error.Details;
        }
        return TypedResults.Problem(detail: error.Message, statusCode: status, title: TitleOf(status), extensions: extensions);
    }

    /// <summary>200 with the value, or the problem the use case reported.</summary>
    public static Results<Ok<T>, ProblemHttpResult> OkOr<T>(Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : From(result.Error!);

    public static ProblemHttpResult Of(int status, string code, string detail, object? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleOf(status), extensions: extensions);
    }

    /// <summary>Writes a problem outside an endpoint (middleware).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string detail, object? errors = null) =>
        Of(status, code, detail, errors).ExecuteAsync(context);

    private static string TitleOf(int status) => status switch
    {
        400 => "The request is invalid.",
        401 => "An API key is required.",
        404 => "Not found.",
        405 => "Method not allowed.",
        409 => "Conflict.",
        413 => "The request is too large.",
        415 => "Unsupported media type.",
        422 => "The request cannot be processed.",
        429 => "Too many requests.",
        _ => "The server failed.",
    };
}
