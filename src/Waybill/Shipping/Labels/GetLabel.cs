using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;

namespace Waybill.Shipping.Labels;

/// <summary>
/// <c>GET /v1/shipments/{id}/label</c>: the booked shipment's label, for its first leg (the parcel's first carrier),
/// from the order's warehouse to its buyer, with the customs paper its service calls for.
/// </summary>
public static class GetLabel
{
    public sealed class Handler(WaybillDb db)
    {
        public async Task<Result<byte[]>> HandleAsync(Guid shipmentId, CancellationToken ct)
        {
            var shipment = await db.Shipments.AsNoTracking().Include(s => s.Legs).SingleOrDefaultAsync(s => s.Id == shipmentId, ct);
            if (shipment is null)
            {
                return Error.NotFound("tracking.shipment_not_found", $"No shipment {shipmentId}.");
            }
            var leg = shipment.Legs.OrderBy(l => l.Sequence).FirstOrDefault();
            var service = leg?.Service is { } id ? SandboxCatalogue.Default.FindService(id) : null;
            var order = shipment.OrderId is { } orderId
                ? await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, ct)
                : null;
            var warehouse = order?.WarehouseId is { } w ? await db.Warehouses.AsNoTracking().SingleOrDefaultAsync(x => x.Id == w, ct) : null;
            if (leg is null || service is null || order is null || warehouse is null)
            {
                return new Error(ErrorKind.Unprocessable, "shipping.not_booked",
                    "Only a shipment booked through Waybill (POST /v1/orders/{id}/shipments) has a label: this one was registered with its carriers' numbers.");
            }
            var crossBorder = warehouse.AddressCountry != order.ShipToCountry;
            var customs = !crossBorder ? CustomsForm.None
                : service.CustomsDocument == "CN22" ? CustomsForm.Cn22
                : service.Kind is SandboxServiceKind.PostalParcel || service.CustomsDocument == "CN23" ? CustomsForm.Cn23
                : CustomsForm.None;
            var weight = DefaultPackaging.Default.Pack(order.TotalWeightKg, out _)?.WeightKg ?? order.TotalWeightKg;
            var label = new LabelData(
                leg.TrackingNumber,
                leg.Carrier,
                service.Name,
                PrintedAddress.Of(warehouse),
                PrintedAddress.ShipToOf(order),
                weight,
                order.Reference,
                DateOnly.FromDateTime(shipment.CreatedAt.UtcDateTime),
                customs,
                order.Currency.Code,
                CustomsItem.Of(order));
            return ShippingLabel.Render(label);
        }
    }
}

/// <summary>An address as printed on labels and declarations: name, street, postal code and city, country in capitals.</summary>
public static class PrintedAddress
{
    public static List<string> Of(Warehouse warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        return Lines(warehouse.AddressName, warehouse.AddressLine1, warehouse.AddressLine2, warehouse.AddressPostalCode, warehouse.AddressCity, warehouse.AddressCountry);
    }

    public static List<string> ShipToOf(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return Lines(order.ShipToName, order.ShipToLine1, order.ShipToLine2, order.ShipToPostalCode, order.ShipToCity, order.ShipToCountry);
    }

    private static List<string> Lines(string name, string line1, string? line2, string? postalCode, string city, CountryCode country)
    {
        var lines = new List<string> { name, line1 };
        if (!string.IsNullOrWhiteSpace(line2))
        {
            lines.Add(line2);
        }
        lines.Add(string.IsNullOrWhiteSpace(postalCode) ? city : $"{postalCode} {city}");
        lines.Add(CountryNames.Of(country).ToUpper(CultureInfo.InvariantCulture));
        return lines;
    }
}
