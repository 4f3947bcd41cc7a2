using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using ZXing.OneD;

namespace Waybill.Shipping.Labels;

/// <summary>Which customs paper a postal cross-border parcel carries (UPU Convention, letter-post regulations).</summary>
public enum CustomsForm
{
    /// <summary>Domestic, or not a postal item: no customs block.</summary>
    None,

    /// <summary>A letter-post small packet up to 300 SDR: the CN 22 declaration is printed on the label.</summary>
    Cn22,

    /// <summary>Above 300 SDR, or a parcel: a CN 23 travels with the item; the label says so.</summary>
    Cn23,
}

/// <summary>One declared item of the CN 22 block.</summary>
public sealed record CustomsItem(string Description, int Quantity, decimal WeightKg, decimal Value, string HsCode, string OriginCountry)
{
    /// <summary>An order's lines as declared items, in line order: each line's total weight and value.</summary>
    public static List<CustomsItem> Of(Orders.Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return [.. order.Lines.OrderBy(l => l.LineNumber)
            .Select(l => new CustomsItem(l.Description, l.Quantity, l.WeightKg * l.Quantity, l.UnitPrice * l.Quantity, l.HsCode.Digits, l.OriginCountry.Value))];
    }
}

/// <summary>What a shipping label shows. Addresses are printed line by line, as given.</summary>
public sealed record LabelData(
    string TrackingNumber,
    string Carrier,
    string Service,
    IReadOnlyList<string> Sender,
    IReadOnlyList<string> Recipient,
    decimal WeightKg,
    string? Reference,
    DateOnly ShippedOn,
    CustomsForm Customs = CustomsForm.None,
    string? Currency = null,
    IReadOnlyList<CustomsItem>? Items = null);

/// <summary>
/// A 100 x 150 mm label as PDF (PDFsharp): service, sender, recipient, weight, the tracking number as a Code 128
/// barcode (bars drawn as vectors from ZXing's encoding) with the number in plain text under it, and the customs
/// block a postal cross-border item needs.
/// </summary>
public static class ShippingLabel
{
    public const double WidthMm = 100;
    public const double HeightMm = 150;

    /// <summary>Width of one barcode module: 0.33 mm, within what handheld scanners read at label distance.</summary>
    private const double ModuleMm = 0.33;

    public static byte[] Render(LabelData label)
    {
        LabelFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"Label {label.TrackingNumber}";
        document.Info.Creator = "Waybill";
        var page = document.AddPage();
        page.Width = XUnit.FromMillimeter(WidthMm);
        page.Height = XUnit.FromMillimeter(HeightMm);
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            Draw(gfx, label);
        }
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static double Mm(double millimetres) => XUnit.FromMillimeter(millimetres).Point;

    private static void Draw(XGraphics gfx, LabelData label)
    {
        var small = new XFont(LabelFonts.Family, 6.5, XFontStyleEx.Regular);
        var body = new XFont(LabelFonts.Family, 8, XFontStyleEx.Regular);
        var bold = new XFont(LabelFonts.Family, 9, XFontStyleEx.Bold);
        var big = new XFont(LabelFonts.Family, 11, XFontStyleEx.Bold);
        var pen = new XPen(XColors.Black, 0.8);
        var left = Mm(4);
        var width = Mm(WidthMm - 8);

        // Service band.
        gfx.DrawRectangle(XBrushes.Black, left, Mm(4), width, Mm(9));
        gfx.DrawString(label.Service, big, XBrushes.White, new XRect(left + Mm(2), Mm(4), width - Mm(4), Mm(9)), XStringFormats.CenterLeft);
        gfx.DrawString(label.Carrier, small, XBrushes.White, new XRect(left, Mm(4), width - Mm(2), Mm(9)), XStringFormats.CenterRight);

        // Sender.
        var y = Mm(16);
        gfx.DrawString("FROM", small, XBrushes.Black, left, y);
        y += Mm(3.5);
        foreach (var line in label.Sender)
        {
            gfx.DrawString(line, body, XBrushes.Black, left, y);
            y += Mm(3.4);
        }
        y += Mm(1);
        gfx.DrawLine(pen, left, y, left + width, y);

        // Recipient.
        y += Mm(4);
        gfx.DrawString("TO", small, XBrushes.Black, left, y);
        y += Mm(4.5);
        foreach (var line in label.Recipient)
        {
            gfx.DrawString(line, big, XBrushes.Black, left + Mm(2), y);
            y += Mm(4.6);
        }
        y += Mm(1);
        gfx.DrawLine(pen, left, y, left + width, y);

        // Weight, reference, date.
        y += Mm(4);
        var facts = $"{label.WeightKg.ToString("0.000", CultureInfo.InvariantCulture)} kg    {label.ShippedOn:yyyy-MM-dd}" +
            (label.Reference is null ? "" : $"    Ref. {label.Reference}");
        gfx.DrawString(facts, body, XBrushes.Black, left, y);

        // Barcode: Code 128 of the tracking number, quiet zones of 10 modules included in the width.
        y += Mm(4);
        var modules = new Code128Writer().encode(label.TrackingNumber);
        var module = Mm(ModuleMm);
        var barsWidth = modules.Length * module;
        var x = left + ((width - barsWidth) / 2);
        var barHeight = Mm(22);
        for (var i = 0; i < modules.Length; i++)
        {
            var start = i;
            while (i + 1 < modules.Length && modules[i + 1] == modules[start])
            {
                i++;
            }
            if (modules[start])
            {
                gfx.DrawRectangle(XBrushes.Black, x + (start * module), y, (i - start + 1) * module, barHeight);
            }
        }
        y += barHeight + Mm(4.5);
        gfx.DrawString(Spaced(label.TrackingNumber), bold, XBrushes.Black, new XRect(left, y - Mm(3.5), width, Mm(4.5)), XStringFormats.TopCenter);
        y += Mm(4);
        gfx.DrawLine(pen, left, y, left + width, y);

        // Customs.
        y += Mm(4);
        switch (label.Customs)
        {
            case CustomsForm.Cn22:
                DrawCn22(gfx, label, left, y, width, small, bold);
                break;
            case CustomsForm.Cn23:
                gfx.DrawString("CUSTOMS: CN 23 ATTACHED", bold, XBrushes.Black, left, y);
                gfx.DrawString("The customs declaration CN 23 travels with this item.", small, XBrushes.Black, left, y + Mm(3.5));
                break;
        }
    }

    private static void DrawCn22(XGraphics gfx, LabelData label, double left, double y, double width, XFont small, XFont bold)
    {
        var items = label.Items ?? [];
        gfx.DrawString("CUSTOMS DECLARATION  CN 22", bold, XBrushes.Black, left, y);
        gfx.DrawString("May be opened officially", small, XBrushes.Black, new XRect(left, y - Mm(3), width, Mm(4)), XStringFormats.TopRight);
        y += Mm(3.5);
        gfx.DrawString("[X] Sale of goods", small, XBrushes.Black, left, y);
        y += Mm(3.2);
        gfx.DrawString("Contents", small, XBrushes.Black, left, y);
        gfx.DrawString("Qty", small, XBrushes.Black, left + Mm(46), y);
        gfx.DrawString("kg", small, XBrushes.Black, left + Mm(54), y);
        gfx.DrawString($"Value {label.Currency}", small, XBrushes.Black, left + Mm(64), y);
        gfx.DrawString("HS / origin", small, XBrushes.Black, left + Mm(80), y);
        foreach (var item in items.Take(4))
        {
            y += Mm(3);
            var description = item.Description.Length > 30 ? item.Description[..29] + "." : item.Description;
            gfx.DrawString(description, small, XBrushes.Black, left, y);
            gfx.DrawString(item.Quantity.ToString(CultureInfo.InvariantCulture), small, XBrushes.Black, left + Mm(46), y);
            gfx.DrawString(item.WeightKg.ToString("0.000", CultureInfo.InvariantCulture), small, XBrushes.Black, left + Mm(54), y);
            gfx.DrawString(item.Value.ToString("0.00", CultureInfo.InvariantCulture), small, XBrushes.Black, left + Mm(64), y);
            gfx.DrawString($"{item.HsCode} {item.OriginCountry}", small, XBrushes.Black, left + Mm(80), y);
        }
        if (items.Count > 4)
        {
            y += Mm(3);
            gfx.DrawString($"... and {items.Count - 4} more items", small, XBrushes.Black, left, y);
        }
        y += Mm(3.5);
        var totalWeight = items.Sum(i => i.WeightKg);
        var totalValue = items.Sum(i => i.Value);
        gfx.DrawString(
            $"Total: {totalWeight.ToString("0.000", CultureInfo.InvariantCulture)} kg, {totalValue.ToString("0.00", CultureInfo.InvariantCulture)} {label.Currency}",
            small, XBrushes.Black, left, y);
        y += Mm(3.2);
        gfx.DrawString("The sender certifies that the particulars given are correct.", small, XBrushes.Black, left, y);
    }

    /// <summary>Groups the number for reading aloud: RB 1234 5678 5 CN.</summary>
    private static string Spaced(string number) =>
        number.Length == 13 && char.IsAsciiLetter(number[0])
            ? $"{number[..2]} {number[2..6]} {number[6..10]} {number[10]} {number[11..]}"
            : number;
}
