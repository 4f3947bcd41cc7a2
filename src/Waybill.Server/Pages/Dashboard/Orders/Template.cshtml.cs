using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Waybill.Orders;

namespace Waybill.Server.Pages.Dashboard.Orders;

/// <summary>
/// An example CSV for the upload: the importer's own columns (<see cref="ImportOrders.RequiredColumns"/>, then the
/// optional ones) and one order line that imports as it is. A column added to the importer appears here at once (empty
/// until it gets an example), so the template cannot drift from the import.
/// </summary>
public sealed class TemplateModel : PageModel
{
    public const string FileName = "waybill-orders-template.csv";

    /// <summary>One valid order line: a T-shirt from China to Berlin, duties paid.</summary>
    private static readonly Dictionary<string, string> Example = new(StringComparer.Ordinal)
    {
        ["reference"] = "EXAMPLE-1001",
        ["buyer_name"] = "Anna Schmidt",
        ["buyer_email"] = "anna.schmidt@example.com",
        ["buyer_phone"] = "+49 30 1234567",
        ["buyer_locale"] = "de-DE",
        ["buyer_time_zone"] = "Europe/Berlin",
        ["ship_to_name"] = "Anna Schmidt",
        ["ship_to_line1"] = "Invalidenstraße 116",
        ["ship_to_line2"] = "3. OG",
        ["ship_to_city"] = "Berlin",
        ["ship_to_region"] = "",
        ["ship_to_postal_code"] = "10115",
        ["ship_to_country"] = "DE",
        ["incoterm"] = "DDP",
        ["currency"] = "EUR",
        ["sku"] = "TSHIRT-BLUE-M",
        ["description"] = "Cotton T-shirt, blue, M",
        ["quantity"] = "2",
        ["unit_price"] = "12.50",
        ["hs_code"] = "6109.10",
        ["origin_country"] = "CN",
        ["weight_kg"] = "0.2",
        ["dangerous_goods"] = "none",
        ["shipping_price"] = "4.90",
    };

    public static IReadOnlyList<string> Columns { get; } = [.. ImportOrders.RequiredColumns, .. ImportOrders.OptionalColumns];

    /// <summary>The header line and the example row, RFC 4180, UTF-8 without a BOM.</summary>
    public static string Csv() =>
        string.Join(",", Columns.Select(Escape)) + "\r\n" + string.Join(",", Columns.Select(c => Escape(Example.GetValueOrDefault(c, "")))) + "\r\n";

    public IActionResult OnGet() => File(Encoding.UTF8.GetBytes(Csv()), "text/csv; charset=utf-8", FileName);

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
