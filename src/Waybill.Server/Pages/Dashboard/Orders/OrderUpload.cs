using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>
/// The limits of the dashboard's CSV upload (the API's <c>POST /v1/orders/import</c> takes up to 256 MB; a browser
/// upload is for a day's or a week's orders: 10 MB is about 60,000 rows).
/// </summary>
public static class OrderUpload
{
    public const long MaxFileBytes = 10L * 1024 * 1024;

    /// <summary>
    /// What the server reads of one upload at most (Kestrel's limit for the page). A file over <see cref="MaxFileBytes"/>
    /// is read to its end up to here and thrown away, so that the browser, done sending, shows the page's error; a bigger
    /// body is cut off by Kestrel (the connection closes, and a browser may show a network error instead).
    /// </summary>
    public const long MaxRequestBytes = 64L * 1024 * 1024;

    /// <summary>The orders page's query when an upload was refused before it could be read (<c>?upload=too_large</c>).</summary>
    public const string TooLarge = "too_large";

    /// <summary>The query when the upload's multipart body could not be read at all.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>
    /// Reads an upload's form under the limits before anything else does. Razor Pages' antiforgery check reads the form
    /// first, and an over-size body would fail it with a bare 400; read here, it becomes the page's own error (a redirect
    /// to the page, which says the limit), and nothing is imported. The token is still checked afterwards for every upload
    /// that fits.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class GuardAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
    {
        /// <summary>Before the antiforgery filter (order 1000).</summary>
        public int Order => -1000;

        public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var http = context.HttpContext;
            if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType)
            {
                return;
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxRequestBytes;
            }
            http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = MaxFileBytes }));
            try
            {
                await http.Request.ReadFormAsync(http.RequestAborted);
            }
            catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                // The form reader says "Multipart body length limit ... exceeded"; anything else it refuses is a broken upload.
                var why = ex is BadHttpRequestException || ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? TooLarge : Unreadable;
                context.Result = new RedirectResult($"/dashboard/orders?upload={why}");
                if (ex is BadHttpRequestException || !await DrainAsync(http))
                {
                    http.Response.Headers.Connection = "close"; // the rest of the body cannot be read
                }
            }
        }

        /// <summary>Reads the rest of a refused upload (up to Kestrel's limit) so that the client sees the answer.</summary>
        private static async Task<bool> DrainAsync(HttpContext http)
        {
            try
            {
                await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
                return true;
            }
            catch (BadHttpRequestException)
            {
                return false;
            }
        }
    }
}
