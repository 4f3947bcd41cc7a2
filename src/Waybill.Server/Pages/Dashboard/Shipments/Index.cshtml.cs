using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Server.Web;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard.Shipments;

/// <summary>
/// The tenant's shipments, newest first, 50 a page, through the core list (<see cref="ListShipments"/>): a GET form, so
/// that a filtered list is an address to share (<c>?q=&amp;status=&amp;milestone=&amp;origin=&amp;destination=&amp;exception=&amp;page=</c>).
/// </summary>
public sealed class IndexModel(ListShipments.Handler shipments, WaybillDb db, PageLocale t) : PageModel
{
    public const int PageSize = 50;

    public string Q { get; private set; } = "";

    public string Status { get; private set; } = "";

    public string Milestone { get; private set; } = "";

    public string Origin { get; private set; } = "";

    public string Destination { get; private set; } = "";

    public string Exception { get; private set; } = "";

    public PageOf<ShipmentView>? Result { get; private set; }

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public IReadOnlyList<string> Origins { get; private set; } = [];

    public IReadOnlyList<string> Destinations { get; private set; } = [];

    public bool Filtered => new[] { Q, Status, Milestone, Origin, Destination, Exception }.Any(v => v.Length > 0);

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        string Read(string name) => Request.Query[name].ToString().Trim();
        (Q, Status, Milestone, Origin, Destination, Exception) = (Read("q"), Read("status"), Read("milestone"), Read("origin"), Read("destination"), Read("exception"));
        // "page" is read here, not bound: Razor Pages keep a route value of that name.
        var pageText = Read("page");
        int? page = pageText.Length == 0 ? 1 : int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var lanes = await db.LanesAsync(ct);
        // The countries of the tenant's lanes, and the one asked for (a shared address may name a lane this tenant has not).
        Origins = lanes.Select(l => l.Origin!).Append(Origin.ToUpperInvariant()).Where(CountryCode.IsKnown).Distinct().Order(StringComparer.Ordinal).ToList();
        Destinations = lanes.Select(l => l.Destination!).Append(Destination.ToUpperInvariant()).Where(CountryCode.IsKnown).Distinct().Order(StringComparer.Ordinal).ToList();

        var result = await shipments.HandleAsync(
            new ListShipments.Request(null, Status, Milestone, page, PageSize, Q, Origin, Destination, Exception), ct);
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
