using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Server.Web;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>
/// The tenant's orders, newest first, paged, by status and reference (<see cref="ListOrders"/>), and the CSV upload that
/// runs the API's import (<see cref="ImportOrders"/>: all or nothing, every bad row named by line and column).
/// </summary>
[RequestSizeLimit(OrderUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = OrderUpload.MaxFileBytes)]
[OrderUpload.Guard]
public sealed class IndexModel(ListOrders.Handler list, ImportOrders.Handler import, PageLocale text) : PageModel
{
    public const int PageSize = 25;

    /// <summary>The first rows' errors the importer lists (it stops listing there; the file may have more).</summary>
    public const int MaxListedErrors = 1000;

    public static IReadOnlyList<string> Statuses { get; } = [.. Enum.GetNames<OrderStatus>().Select(n => n.ToLowerInvariant())];

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    /// <summary><c>?p=</c>: Razor Pages keep the <c>page</c> route value for the page's own name.</summary>
    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public PageOf<OrderView>? Orders { get; private set; }

    public int PageCount => Orders is null || Orders.Total == 0 ? 1 : (int)Math.Ceiling(Orders.Total / (double)Orders.PageSize);

    /// <summary>Why the list could not be read (a bad filter in the address), else null.</summary>
    public string? ListError { get; private set; }

    /// <summary>Why the upload was refused before the importer read it (no file, empty, not CSV, too large).</summary>
    public string? UploadError { get; private set; }

    public ImportOrders.Response? Imported { get; private set; }

    /// <summary>The importer's verdict on a bad file: its message, and every bad row.</summary>
    public string? ImportFailure { get; private set; }

    public IReadOnlyList<ImportOrders.RowError> RowErrors { get; private set; } = [];

    public string? UploadedName { get; private set; }

    public async Task OnGetAsync([FromQuery] string? upload)
    {
        UploadError = upload switch
        {
            OrderUpload.TooLarge => text.Format("orders.upload_too_large", OrderUpload.MaxFileBytes / (1024 * 1024)),
            OrderUpload.Unreadable => text["orders.upload_unreadable"],
            _ => null,
        };
        if (UploadError is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        var ct = HttpContext.RequestAborted;
        UploadedName = file?.FileName;
        UploadError = Check(file);
        if (UploadError is null)
        {
            await using var stream = file!.OpenReadStream();
            var result = await import.HandleAsync(stream, progress: null, ct);
            if (result.IsSuccess)
            {
                Imported = result.Value;
            }
            else
            {
                ImportFailure = result.Error!.Message;
                RowErrors = result.Error.Details as IReadOnlyList<ImportOrders.RowError> ?? [];
                Response.StatusCode = result.Error.Kind == ErrorKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            }
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        Status = null;
        Query = null;
        PageNumber = null;
        await LoadAsync();
        return Page();
    }

    /// <summary>The query string of the list with one value changed (paging links keep the filters).</summary>
    public string Link(int page) => PageFormat.PageUrl(Request, page, "p");

    private string? Check(IFormFile? file)
    {
        if (file is null)
        {
            return text["orders.upload_missing"];
        }
        if (file.Length == 0)
        {
            return text.Format("orders.upload_empty", file.FileName);
        }
        if (file.Length > OrderUpload.MaxFileBytes)
        {
            return text.Format("orders.upload_too_large", OrderUpload.MaxFileBytes / (1024 * 1024));
        }
        // Browsers name a .csv text/csv, application/vnd.ms-excel (Windows with Excel) or text/plain: the name decides.
        var csvName = file.FileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var csvType = file.ContentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase);
        return csvName || csvType ? null : text.Format("orders.upload_not_csv", file.FileName);
    }

    private async Task LoadAsync()
    {
        var result = await list.HandleAsync(new ListOrders.Request(Status, PageNumber, PageSize, Query), HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            Orders = result.Value;
            return;
        }
        ListError = string.Join(" ", result.Error!.Errors?.SelectMany(e => e.Value) ?? [result.Error.Message]);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        Orders = new PageOf<OrderView>([], 0, 1, PageSize);
    }
}
