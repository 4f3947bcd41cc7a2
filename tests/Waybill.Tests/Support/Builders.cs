using Waybill.Orders;

namespace Waybill.Tests.Support;

/// <summary>Small builders: a valid order unless a test says otherwise.</summary>
public static class Build
{
    /// <summary>An origin warehouse in Shenzhen (or of the given code and kind).</summary>
    public static Waybill.Shipping.WarehouseInput Warehouse(string code = "SZX-1", string kind = "origin") =>
        new(code, "Shenzhen origin", new AddressInput("Acme Fulfilment", "8 Keji Road", null, "Shenzhen", "Guangdong", "518057", "CN"), kind);

    public static OrderInput Order(string? reference = null, string country = "DE", string? postalCode = "10115", params OrderLineInput[] lines) => new(
        reference ?? $"R-{Guid.NewGuid():N}",
        new BuyerInput("Anna Schmidt", "anna@example.com", "+49 30 1234567", "de-DE", "Europe/Berlin"),
        new AddressInput("Anna Schmidt", "Hauptstr. 1", null, "Berlin", null, postalCode, country),
        "DDP",
        "EUR",
        lines.Length > 0 ? lines : [Line()]);

    public static OrderLineInput Line(string sku = "TS-1", decimal quantity = 2, decimal unitPrice = 12.5m, string hsCode = "6109.10", decimal weightKg = 0.2m) =>
        new(sku, "Cotton T-shirt", quantity, unitPrice, hsCode, "CN", weightKg);

    public const string CsvHeader =
        "reference,buyer_name,buyer_email,ship_to_name,ship_to_line1,ship_to_city,ship_to_postal_code,ship_to_country,incoterm,currency,sku,description,quantity,unit_price,hs_code,origin_country,weight_kg";

    public static string CsvRow(string reference, string sku = "TS-1", string quantity = "2", string unitPrice = "12.50",
        string postalCode = "10115", string country = "DE", string buyer = "Anna Schmidt") =>
        $"{reference},{buyer},anna@example.com,{buyer},Hauptstr. 1,Berlin,{postalCode},{country},DDP,EUR,{sku},Cotton T-shirt,{quantity},{unitPrice},6109.10,CN,0.2";

    public static MemoryStream Csv(params string[] lines) =>
        new(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
    /// <summary>A valid UPU S10 number (China Post's RB service) with the given 8-digit serial.</summary>
    public static string S10(int serial)
    {
        var digits = serial.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        int[] weights = [8, 6, 4, 2, 3, 5, 9, 7];
        var sum = digits.Select((c, i) => (c - '0') * weights[i]).Sum();
        var check = 11 - (sum % 11);
        check = check == 10 ? 0 : check == 11 ? 5 : check;
        return $"RB{digits}{check}CN";
    }
}
