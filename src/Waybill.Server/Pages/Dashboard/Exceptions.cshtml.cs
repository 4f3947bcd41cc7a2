using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Server.Pages.Dashboard.Shipments;
using Waybill.Server.Web;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard;

/// <summary>
/// The exceptions queue: the shipments something is wrong with now (<see cref="ShipmentExceptions"/>), the one longest
/// without news first (by last scan), 50 a page, by kind (<c>?kind=</c>); the core list (<see cref="ListShipments"/>)
/// with <c>exception</c> and <c>sort=oldest_scan</c>.
/// </summary>
public sealed class ExceptionsModel(ListShipments.Handler shipments, PageLocale t, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public string Kind { get; private set; } = "";

    public PageOf<ShipmentView>? Result { get; private set; }

    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>The clock's now (the demo's accelerated time in the demo), for how long each exception has lasted.</summary>
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync()
    {
        Now = clock.UtcNow();
        Kind = Request.Query["kind"].ToString().Trim().ToLowerInvariant();
        var pageText = Request.Query["page"].ToString().Trim();
        int? page = pageText.Length == 0 ? 1 : int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var exception = Kind.Length == 0 ? ShipmentExceptions.Any : Kind;
        var result = await shipments.HandleAsync(
            new ListShipments.Request(null, null, null, page, PageSize, Exception: exception, Sort: ListShipments.OldestScan), HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            Result = result.Value;
        }
        else
        {
            Problems = ShipmentsText.Problems(t, result.Error!);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
