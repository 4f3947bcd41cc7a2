using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Server.Web;
using Waybill.Shipping;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>
/// One order (<see cref="GetOrder"/>) with its shipments (<see cref="ListShipments"/>); while it has none and can ship,
/// its booking quote (<see cref="QuoteRates"/> for the order, the routes the booking chooses from) and the form that books
/// the chosen route (<see cref="BookShipment"/>), then goes to the new shipment's page.
/// </summary>
public sealed class DetailsModel(
    GetOrder.Handler orders,
    ListShipments.Handler shipments,
    QuoteRates.Handler rates,
    BookShipment.Handler book,
    ListWarehouses.Handler warehouses,
    PageLocale text) : PageModel
{
    public OrderView? Order { get; private set; }

    public IReadOnlyList<ShipmentView> Shipments { get; private set; } = [];

    public IReadOnlyList<WarehouseView> Warehouses { get; private set; } = [];

    /// <summary>The warehouse the quote ships from, when the seller chose one on the page.</summary>
    [BindProperty(SupportsGet = true, Name = "warehouse")]
    public Guid? Warehouse { get; set; }

    /// <summary>The route chosen in the booking form (a route id of the quote).</summary>
    [BindProperty(Name = "route")]
    public string? Route { get; set; }

    public RatesView? Quote { get; private set; }

    /// <summary>Why the order cannot be quoted (no warehouse, cannot be packed, ...), with the reasons per field.</summary>
    public Error? QuoteError { get; private set; }

    /// <summary>Why the booking failed; the page shows the problem's detail and its reasons.</summary>
    public Error? BookingError { get; private set; }

    /// <summary>The route checked in the form: the one posted, else the booking's default (the cheapest on time).</summary>
    public string? CheckedRoute => Route is { Length: > 0 } posted && Quote?.Routes.Any(r => r.Id == posted) == true
        ? posted
        : (Quote?.Routes.FirstOrDefault(r => r.TransitDays.P90 <= r.PromiseDays) ?? (Quote is { Routes.Count: > 0 } q ? q.Routes[0] : null))?.Id;

    public string? WarehouseCode(Guid? id) => Warehouses.FirstOrDefault(w => w.Id == id)?.Code;

    /// <summary>The order can be booked from this page: it can ship, and has no shipment yet.</summary>
    public bool Bookable => Order is { Status: "created" or "allocated" } && Shipments.Count == 0;

    public async Task<IActionResult> OnGetAsync(Guid id) => await LoadAsync(id) ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostBookAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        if (string.IsNullOrWhiteSpace(Route))
        {
            var errors = new ValidationErrors();
            errors.Add("route", text["orders.book_choose_route"]);
            BookingError = errors.ToError("shipping.booking_invalid", text["orders.book_choose_route"]);
        }
        else
        {
            var booked = await book.HandleAsync(id, new BookingInput(ServiceId: Route.Trim(), WarehouseId: Warehouse), ct);
            if (booked.IsSuccess)
            {
                return Redirect($"/dashboard/shipments/{booked.Value.Id}");
            }
            BookingError = booked.Error;
        }
        if (!await LoadAsync(id))
        {
            return NotFoundPage();
        }
        Response.StatusCode = BookingError!.Kind switch
        {
            ErrorKind.Validation => StatusCodes.Status400BadRequest,
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        return Page();
    }

    /// <summary>The reasons a problem gives, field by field, or its detail alone.</summary>
    public static IEnumerable<string> Reasons(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Errors is { Count: > 0 } fields)
        {
            return fields.SelectMany(f => f.Value.Select(r => f.Key.Length == 0 ? r : $"{f.Key}: {r}"));
        }
        if (error.Details is IEnumerable<LeftOut> leftOut)
        {
            return leftOut.Select(l => $"{l.ServiceId} ({l.Code}): {l.Reason}");
        }
        return [];
    }

    private async Task<bool> LoadAsync(Guid id)
    {
        var ct = HttpContext.RequestAborted;
        var order = await orders.HandleAsync(id, ct);
        if (!order.IsSuccess)
        {
            return false;
        }
        Order = order.Value;
        var found = await shipments.HandleAsync(new ListShipments.Request(null, null, null, 1, Paging.MaxPageSize, OrderId: id), ct);
        Shipments = found.IsSuccess ? found.Value.Items : [];
        Warehouses = await warehouses.HandleAsync(ct);
        if (Bookable)
        {
            if (Warehouse is { } chosen && Warehouses.All(w => w.Id != chosen))
            {
                Warehouse = null; // not one of the tenant's: quote as if none was chosen
            }
            var quote = await rates.HandleAsync(new RatesInput(Warehouse, null, null, null, null, null, OrderId: id), ct);
            if (quote.IsSuccess)
            {
                Quote = quote.Value;
            }
            else
            {
                QuoteError = quote.Error;
            }
        }
        return true;
    }

    private PageResult NotFoundPage()
    {
        Order = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
