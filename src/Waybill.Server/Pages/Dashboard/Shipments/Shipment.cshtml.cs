using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Common;
using Waybill.Customs;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Server.Web;
using Waybill.Shipping.Labels;
using Waybill.Tracking;

namespace Waybill.Server.Pages.Dashboard.Shipments;

/// <summary>
/// One shipment: its timeline across all legs, legs, order, forecast, notifications, and its label and customs
/// declaration (<c>/label</c>, <c>/declaration</c>: the PDFs of <c>GET /v1/shipments/{id}/label</c> and
/// <c>/customs-declaration</c>, by the same handlers). An unknown id, another tenant's shipment, or a document the shipment
/// has none of, is a 404 page.
/// </summary>
public sealed class ShipmentModel(
    GetShipment.Handler shipments,
    ListShipmentEvents.Handler events,
    GetOrder.Handler orders,
    ListNotifications.Handler notifications,
    GetLabel.Handler labels,
    GetCustomsDeclaration.Handler declarations,
    PageLocale t) : PageModel
{
    /// <summary>The notifications shown (a shipment has a dozen or so; webhook deliveries add some).</summary>
    public const int NotificationsShown = 100;

    public ShipmentView? Shipment { get; private set; }

    public IReadOnlyList<EventView> Events { get; private set; } = [];

    public OrderView? Order { get; private set; }

    public PageOf<NotificationView>? Notifications { get; private set; }

    /// <summary>Why the page is a 404 (null when it is not).</summary>
    public string? Missing { get; private set; }

    /// <summary>The shipment the missing document was asked of (for the link back), when it exists.</summary>
    public Guid? MissingFrom { get; private set; }

    /// <summary>A shipment booked through Waybill has a label (a service on its legs, an order).</summary>
    public bool HasLabel => Shipment is { } s && s.OrderId is not null && s.Legs.Count > 0 && s.Legs.All(l => l.Service is not null);

    /// <summary>A booked shipment that crosses a border has a customs declaration.</summary>
    public bool HasDeclaration => HasLabel && Shipment!.Lane is { Origin: { } from, Destination: { } to } && from != to;

    /// <summary>The number the buyer's notifications link to (the last leg's): the public tracking page's.</summary>
    public string? PublicNumber => Shipment?.Legs.OrderBy(l => l.Sequence).LastOrDefault()?.TrackingNumber;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var ct = HttpContext.RequestAborted;
        if (!Guid.TryParse(id, out var shipmentId) || await shipments.HandleAsync(shipmentId, ct) is not { IsSuccess: true } found)
        {
            return NotFoundPage(t["shipments.not_found"], null);
        }
        Shipment = found.Value;
        // The shipment was just found: its timeline is there (a failure here is a bug, and throws).
        Events = (await events.HandleAsync(shipmentId, ct)).Value;
        if (Shipment.OrderId is { } orderId && await orders.HandleAsync(orderId, ct) is { IsSuccess: true } order)
        {
            Order = order.Value;
        }
        var sent = await notifications.HandleAsync(new ListNotifications.Request(shipmentId.ToString(), null, null, 1, NotificationsShown), ct);
        Notifications = sent.Value;
        return Page();
    }

    public Task<IActionResult> OnGetLabelAsync(string id) =>
        DocumentAsync(id, labels.HandleAsync, "label", t["shipments.no_label"]);

    public Task<IActionResult> OnGetDeclarationAsync(string id) =>
        DocumentAsync(id, declarations.HandleAsync, "customs-declaration", t["shipments.no_declaration"]);

    /// <summary>The PDF, or a 404 page saying why there is none (the core's reason: not booked, not crossing a border).</summary>
    private async Task<IActionResult> DocumentAsync(string id, Func<Guid, CancellationToken, Task<Result<byte[]>>> render, string name, string none)
    {
        if (!Guid.TryParse(id, out var shipmentId))
        {
            return NotFoundPage(t["shipments.not_found"], null);
        }
        var result = await render(shipmentId, HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            return File(result.Value, "application/pdf", $"{name}-{shipmentId}.pdf");
        }
        return result.Error!.Kind == ErrorKind.NotFound
            ? NotFoundPage(t["shipments.not_found"], null)
            : NotFoundPage(none, shipmentId);
    }

    private PageResult NotFoundPage(string why, Guid? from)
    {
        Missing = why;
        MissingFrom = from;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
