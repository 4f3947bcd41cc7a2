using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Persistence;
using Waybill.Shipping;
using Waybill.Shipping.Labels;
using Waybill.Shipping.Sandbox;
using Waybill.Tenancy;

namespace Waybill.Customs;

/// <summary>Which declaration travels with a cross-border shipment.</summary>
public enum DeclarationForm
{
    /// <summary>UPU CN 22: a letter-post small packet up to 300 SDR.</summary>
    Cn22,

    /// <summary>UPU CN 23: a postal parcel, or a small packet above 300 SDR.</summary>
    Cn23,

    /// <summary>A commercial invoice: express and consolidated (non-postal) shipments.</summary>
    CommercialInvoice,
}

/// <summary>What a customs declaration shows, filled from the order and the shipment.</summary>
public sealed record DeclarationData(
    DeclarationForm Form,
    string TrackingNumber,
    string Carrier,
    IReadOnlyList<string> Sender,
    IReadOnlyList<string> Recipient,
    string Reference,
    DateOnly ShippedOn,
    string Incoterm,
    string Currency,
    IReadOnlyList<CustomsItem> Items,
    string? IossNumber);

/// <summary>The members of customs unions (<c>data/customs/unions.json</c>).</summary>
public static class CustomsUnions
{
    private static readonly Lazy<FrozenSet<CountryCode>> Eu = new(() =>
    {
        using var json = JsonDocument.Parse(File.ReadAllText(ReferenceData.PathOf("customs", "unions.json")));
        return json.RootElement.GetProperty("unions").GetProperty("EU").EnumerateArray()
            .Select(c => CountryCode.TryCreate(c.GetString(), out var code, out _) ? code : throw new InvalidDataException($"unions.json: '{c.GetString()}' is not a country code."))
            .ToFrozenSet();
    });

    public static bool InEu(CountryCode country) => Eu.Value.Contains(country);
}

/// <summary>
/// The customs declaration of a shipment as an A4 PDF (PDFsharp, the labels' typeface): CN 22 or CN 23 by the UPU
/// rules for postal shipments, a commercial invoice otherwise; contents, HS codes, quantities, values, origins,
/// weights, sender, recipient, and the IOSS number where the scheme applies.
/// </summary>
public static class CustomsDeclaration
{
    public static byte[] Render(DeclarationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        LabelFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"{Title(data.Form)} {data.TrackingNumber}";
        document.Info.Creator = "Waybill";
        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            Draw(gfx, data, page.Width.Point);
        }
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    public static string Title(DeclarationForm form) => form switch
    {
        DeclarationForm.Cn22 => "CUSTOMS DECLARATION CN 22",
        DeclarationForm.Cn23 => "CUSTOMS DECLARATION CN 23",
        _ => "COMMERCIAL INVOICE",
    };

    private static double Mm(double millimetres) => XUnit.FromMillimeter(millimetres).Point;

    private static void Draw(XGraphics gfx, DeclarationData data, double pageWidth)
    {
        var title = new XFont(LabelFonts.Family, 14, XFontStyleEx.Bold);
        var bold = new XFont(LabelFonts.Family, 9, XFontStyleEx.Bold);
        var body = new XFont(LabelFonts.Family, 9, XFontStyleEx.Regular);
        var small = new XFont(LabelFonts.Family, 7.5, XFontStyleEx.Regular);
        var pen = new XPen(XColors.Black, 0.6);
        var left = Mm(15);
        var width = pageWidth - (2 * left);
        var c = CultureInfo.InvariantCulture;

        var y = Mm(20);
        gfx.DrawString(Title(data.Form), title, XBrushes.Black, left, y);
        gfx.DrawString($"{data.Carrier}  {data.TrackingNumber}", body, XBrushes.Black, new XRect(left, y - Mm(5), width, Mm(6)), XStringFormats.TopRight);
        y += Mm(6);
        gfx.DrawString(data.Form == DeclarationForm.CommercialInvoice
            ? $"Invoice {data.Reference}    Date {data.ShippedOn:yyyy-MM-dd}    Terms of delivery (Incoterms 2020): {data.Incoterm}"
            : $"Category of item: Sale of goods    Date {data.ShippedOn:yyyy-MM-dd}    Reference {data.Reference}", body, XBrushes.Black, left, y);
        y += Mm(8);

        // Sender and recipient side by side.
        var half = width / 2;
        gfx.DrawString(data.Form == DeclarationForm.CommercialInvoice ? "SHIPPER / EXPORTER" : "FROM", bold, XBrushes.Black, left, y);
        gfx.DrawString(data.Form == DeclarationForm.CommercialInvoice ? "CONSIGNEE" : "TO", bold, XBrushes.Black, left + half, y);
        var lines = Math.Max(data.Sender.Count, data.Recipient.Count);
        for (var i = 0; i < lines; i++)
        {
            var at = y + Mm(5) + (i * Mm(4.2));
            if (i < data.Sender.Count)
            {
                gfx.DrawString(data.Sender[i], body, XBrushes.Black, left, at);
            }
            if (i < data.Recipient.Count)
            {
                gfx.DrawString(data.Recipient[i], body, XBrushes.Black, left + half, at);
            }
        }
        y += Mm(8) + (lines * Mm(4.2));
        if (data.IossNumber is { } ioss)
        {
            gfx.DrawString($"IOSS VAT identification number: {ioss}  (EU VAT collected at the point of sale)", bold, XBrushes.Black, left, y);
            y += Mm(7);
        }

        // The contents.
        string[] headers = ["Detailed description of contents", "Qty", "Net weight (kg)", $"Value ({data.Currency})", "HS tariff number", "Country of origin"];
        double[] columns = [0, 0.40, 0.47, 0.60, 0.73, 0.87];
        gfx.DrawLine(pen, left, y, left + width, y);
        y += Mm(4.5);
        for (var i = 0; i < headers.Length; i++)
        {
            gfx.DrawString(headers[i], small, XBrushes.Black, left + (columns[i] * width), y);
        }
        y += Mm(2);
        gfx.DrawLine(pen, left, y, left + width, y);
        foreach (var item in data.Items)
        {
            y += Mm(5);
            var hs = item.HsCode.Length >= 6 ? $"{item.HsCode[..4]}.{item.HsCode[4..6]}{(item.HsCode.Length > 6 ? "." + item.HsCode[6..] : "")}" : item.HsCode;
            string[] cells =
            [
                item.Description.Length > 48 ? item.Description[..47] + "…" : item.Description,
                item.Quantity.ToString(c),
                item.WeightKg.ToString("0.000", c),
                item.Value.ToString("0.00", c),
                hs,
                item.OriginCountry,
            ];
            for (var i = 0; i < cells.Length; i++)
            {
                gfx.DrawString(cells[i], body, XBrushes.Black, left + (columns[i] * width), y);
            }
        }
        y += Mm(3);
        gfx.DrawLine(pen, left, y, left + width, y);
        y += Mm(5);
        gfx.DrawString("Total", bold, XBrushes.Black, left, y);
        gfx.DrawString(data.Items.Sum(i => i.Quantity).ToString(c), bold, XBrushes.Black, left + (columns[1] * width), y);
        gfx.DrawString(data.Items.Sum(i => i.WeightKg).ToString("0.000", c), bold, XBrushes.Black, left + (columns[2] * width), y);
        gfx.DrawString($"{data.Items.Sum(i => i.Value).ToString("0.00", c)} {data.Currency}", bold, XBrushes.Black, left + (columns[3] * width), y);

        y += Mm(14);
        gfx.DrawString(data.Form == DeclarationForm.CommercialInvoice
            ? "I declare that the information on this invoice is true and correct and that the goods are of the origin shown."
            : "I certify that the particulars given in this declaration are correct and that this item does not contain any dangerous article prohibited by legislation or by postal or customs regulations.",
            small, XBrushes.Black, left, y);
        y += Mm(10);
        gfx.DrawString($"Date and sender's signature: {data.ShippedOn:yyyy-MM-dd}  ______________________", body, XBrushes.Black, left, y);
    }
}

/// <summary><c>GET /v1/shipments/{id}/customs-declaration</c>: the declaration of a booked cross-border shipment.</summary>
public static class GetCustomsDeclaration
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
            var legs = shipment.Legs.OrderBy(l => l.Sequence).ToList();
            var services = legs.Select(l => l.Service is { } id ? SandboxCatalogue.Default.FindService(id) : null).ToList();
            var order = shipment.OrderId is { } orderId
                ? await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, ct)
                : null;
            var warehouse = order?.WarehouseId is { } w ? await db.Warehouses.AsNoTracking().SingleOrDefaultAsync(x => x.Id == w, ct) : null;
            if (legs.Count == 0 || services.Any(s => s is null) || order is null || warehouse is null)
            {
                return new Error(ErrorKind.Unprocessable, "shipping.not_booked",
                    "Only a shipment booked through Waybill (POST /v1/orders/{id}/shipments) has a customs declaration: this one was registered with its carriers' numbers.");
            }
            if (warehouse.AddressCountry == order.ShipToCountry)
            {
                return new Error(ErrorKind.Unprocessable, "customs.not_cross_border",
                    $"The shipment stays within {CountryNames.Of(order.ShipToCountry)}: it needs no customs declaration.");
            }
            // The paper of the service that crosses the border (a consolidated route's first mile has none).
            var document = services.Select(s => s!.CustomsDocument).FirstOrDefault(d => d is not null);
            var postal = services.Any(s => s!.Kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel);
            var form = document switch
            {
                "CN22" => DeclarationForm.Cn22,
                "CN23" => DeclarationForm.Cn23,
                "commercial_invoice" => DeclarationForm.CommercialInvoice,
                _ => postal ? DeclarationForm.Cn23 : DeclarationForm.CommercialInvoice,
            };
            var shippedOn = DateOnly.FromDateTime(shipment.CreatedAt.UtcDateTime);
            var ioss = await IossNumberAsync(order.ShipToCountry, new Money(order.GoodsTotal, order.Currency), shippedOn, ct);
            var data = new DeclarationData(
                form,
                legs[0].TrackingNumber,
                legs[0].Carrier,
                PrintedAddress.Of(warehouse),
                PrintedAddress.ShipToOf(order),
                order.Reference,
                shippedOn,
                order.Incoterm.ToString().ToUpperInvariant(),
                order.Currency.Code,
                CustomsItem.Of(order),
                ioss);
            return CustomsDeclaration.Render(data);
        }

        /// <summary>
        /// The tenant's IOSS number when the scheme applies: the rule book's IOSS rule in force at the destination on the
        /// shipping date, goods of intrinsic value within its ceiling (EUR 150) at that date's rate, and a tenant
        /// registered for IOSS with a number in its settings.
        /// </summary>
        private async Task<string?> IossNumberAsync(CountryCode destination, Money goods, DateOnly on, CancellationToken ct)
        {
            var ioss = CustomsRuleBook.Default.InForce(destination, on)
                .FirstOrDefault(r => r.Kind == CustomsRuleBook.Scheme && r.Scheme == CustomsSchemes.Ioss);
            if (ioss is not { Amount: { } ceiling, Currency: { } currency })
            {
                return null;
            }
            var settings = Settings.ViewOf(await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(ct));
            if (settings.Schemes.GetValueOrDefault(CustomsSchemes.Ioss) is not { Registered: true, Number: { } number })
            {
                return null;
            }
            return ExchangeRates.Default.TryConvert(goods, currency, on, out var converted, out _) && converted.Amount <= ceiling ? number : null;
        }
    }
}
