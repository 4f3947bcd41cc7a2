using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Waybill.Common;

namespace Waybill.Orders;

/// <summary>An order as a client sends it: plain strings and numbers, nothing trusted yet.</summary>
public sealed record OrderInput(
    string? Reference,
    BuyerInput? Buyer,
    AddressInput? ShipTo,
    string? Incoterm,
    string? Currency,
    IReadOnlyList<OrderLineInput>? Lines,
    Guid? WarehouseId = null,
    decimal? ShippingPrice = null);

public sealed record BuyerInput(string? Name, string? Email, string? Phone = null, string? Locale = null, string? TimeZone = null);

public sealed record AddressInput(
    string? Name,
    string? Line1,
    string? Line2,
    string? City,
    string? Region,
    string? PostalCode,
    string? Country);

public sealed record OrderLineInput(
    string? Sku,
    string? Description,
    decimal? Quantity,
    decimal? UnitPrice,
    string? HsCode,
    string? OriginCountry,
    decimal? WeightKg,
    IReadOnlyList<string?>? DangerousGoods = null);

/// <summary>An order whose every field has been checked and turned into domain values.</summary>
internal sealed record ValidOrder(
    string Reference,
    EmailAddress BuyerEmail,
    string BuyerName,
    string? BuyerPhone,
    Locale? BuyerLocale,
    TimeZoneName? BuyerTimeZone,
    string ShipToName,
    string ShipToLine1,
    string? ShipToLine2,
    string ShipToCity,
    string? ShipToRegion,
    string? ShipToPostalCode,
    CountryCode ShipToCountry,
    Incoterm Incoterm,
    Currency Currency,
    IReadOnlyList<ValidOrderLine> Lines,
    string ContentHash,
    Guid? WarehouseId = null,
    decimal? ShippingPrice = null);

/// <summary>A checked address: trimmed, the postal code normalised.</summary>
public sealed record ValidAddress(string Name, string Line1, string? Line2, string City, string? Region, string? PostalCode, CountryCode Country);

/// <summary>A checked order line; the rates quote checks its lines with the same rules.</summary>
public sealed record ValidOrderLine(
    string Sku,
    string Description,
    int Quantity,
    decimal UnitPrice,
    HsCode HsCode,
    CountryCode OriginCountry,
    Weight UnitWeight,
    IReadOnlyList<string> DangerousGoods,
    bool DangerousGoodsDeclared);

/// <summary>
/// Checks an order and reports every wrong field at once, keyed by field path (<c>shipTo.postalCode</c>,
/// <c>lines[0].quantity</c>). The API and the CSV import both go through here.
/// </summary>
public static class ValidateOrder
{
    public const int MaxLines = 1000;
    private const decimal MaxAmount = 1_000_000_000m;

    /// <summary>Both databases hold amounts up to about 9e14 (SQLite: 64-bit ten-thousandths); an order stays well below.</summary>
    public const decimal MaxGoodsTotal = 100_000_000_000m;

    /// <summary>
    /// The order's lines whose HS code is well formed but names no HS 2022 subheading (by its first six digits), keyed by
    /// field path (<c>lines[1].hsCode</c>); empty when every code exists. Such an order is refused with 422
    /// <c>customs.hs_code_unknown</c>: the request is well formed, but customs could not clear it.
    /// </summary>
    internal static ValidationErrors UnknownHsCodes(ValidOrder order)
    {
        var errors = new ValidationErrors();
        for (var i = 0; i < order.Lines.Count; i++)
        {
            var code = order.Lines[i].HsCode;
            if (!Customs.HsNomenclature.Default.Exists(code))
            {
                errors.Add($"lines[{i}].hsCode",
                    $"'{code.Digits[..4]}.{code.Digits[4..6]}' is not an HS 2022 subheading; GET /v1/hs-codes?q=... finds the code of the goods.");
            }
        }
        return errors;
    }

    /// <summary>The 422 answer for <see cref="UnknownHsCodes"/>.</summary>
    internal static Error UnknownHsCodesError(ValidationErrors unknown) =>
        new(ErrorKind.Unprocessable, "customs.hs_code_unknown", "An order line's HS code is not in the HS 2022 nomenclature.", unknown.ToDictionary());

    internal static ValidOrder? Validate(OrderInput input, ValidationErrors errors)
    {
        var reference = Text(errors, "reference", input.Reference, 100, required: true);

        var buyer = input.Buyer;
        if (buyer is null)
        {
            errors.Add("buyer", "The buyer is required.");
        }
        var buyerName = Text(errors, "buyer.name", buyer?.Name, 200, required: buyer is not null);
        EmailAddress email = default;
        if (buyer is not null && !EmailAddress.TryCreate(buyer.Email, out email, out var emailReason))
        {
            errors.Add("buyer.email", emailReason!);
        }
        var phone = Text(errors, "buyer.phone", buyer?.Phone, 40, required: false);
        Locale? locale = null;
        if (!string.IsNullOrWhiteSpace(buyer?.Locale))
        {
            if (Locale.TryCreate(buyer.Locale, out var l, out var reason))
            {
                locale = l;
            }
            else
            {
                errors.Add("buyer.locale", reason!);
            }
        }
        TimeZoneName? timeZone = null;
        if (!string.IsNullOrWhiteSpace(buyer?.TimeZone))
        {
            if (TimeZoneName.TryCreate(buyer.TimeZone, out var z, out var reason))
            {
                timeZone = z;
            }
            else
            {
                errors.Add("buyer.timeZone", reason!);
            }
        }

        var shipTo = ValidateAddress(errors, "shipTo", input.ShipTo);

        var incoterm = Incoterm.DDP;
        switch (input.Incoterm?.Trim().ToUpperInvariant())
        {
            case "DDP":
                incoterm = Incoterm.DDP;
                break;
            case "DAP":
                incoterm = Incoterm.DAP;
                break;
            case null or "":
                errors.Add("incoterm", "The incoterm is required: DDP or DAP.");
                break;
            default:
                errors.Add("incoterm", $"'{input.Incoterm}' is not an incoterm Waybill handles: DDP or DAP.");
                break;
        }

        if (!Currency.TryCreate(input.Currency, out var currency, out var currencyReason))
        {
            errors.Add("currency", currencyReason!);
        }

        var lines = new List<ValidOrderLine>(input.Lines?.Count ?? 0);
        if (input.Lines is null || input.Lines.Count == 0)
        {
            errors.Add("lines", "An order needs at least one line.");
        }
        else if (input.Lines.Count > MaxLines)
        {
            errors.Add("lines", $"An order has at most {MaxLines} lines.");
        }
        else
        {
            for (var i = 0; i < input.Lines.Count; i++)
            {
                var line = ValidateLine(input.Lines[i], $"lines[{i}]", errors);
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
        }

        // What the buyer pays for delivery, in the order's currency: it feeds the provisional landed cost.
        if (input.ShippingPrice is { } shippingPrice && (shippingPrice is < 0 or > MaxAmount
            || (currency.Code is not null && decimal.Round(shippingPrice, currency.MinorUnits) != shippingPrice)))
        {
            errors.Add("shippingPrice", $"The shipping price is an amount from 0 to {MaxAmount:0}{(currency.Code is null ? "" : $" with at most {currency.MinorUnits} decimal places")}.");
        }

        if (errors.IsEmpty && lines.Sum(l => l.UnitPrice * l.Quantity) > MaxGoodsTotal)
        {
            errors.Add("lines", $"The order's goods total is above {MaxGoodsTotal:0}; split it into several orders.");
        }
        if (!errors.IsEmpty)
        {
            return null;
        }
        var order = new ValidOrder(
            reference!, email, buyerName!, phone, locale, timeZone,
            shipTo!.Name, shipTo.Line1, shipTo.Line2, shipTo.City, shipTo.Region, shipTo.PostalCode, shipTo.Country,
            incoterm, currency, lines, "", input.WarehouseId, input.ShippingPrice);
        return order with { ContentHash = HashOf(order) };
    }

    /// <summary>Checks one order line; errors are keyed under <paramref name="path"/> (<c>lines[0]</c>).</summary>
    public static ValidOrderLine? ValidateLine(OrderLineInput? line, string path, ValidationErrors errors)
    {
        if (line is null)
        {
            errors.Add(path, "The line is empty.");
            return null;
        }
        var before = errors.Count;
        var sku = Text(errors, $"{path}.sku", line.Sku, 100, required: true);
        var description = Text(errors, $"{path}.description", line.Description, 500, required: true);

        var quantity = 0;
        if (line.Quantity is not { } q)
        {
            errors.Add($"{path}.quantity", "The quantity is required.");
        }
        else if (q <= 0 || q != decimal.Truncate(q) || q > 1_000_000)
        {
            errors.Add($"{path}.quantity", "The quantity must be a whole number greater than 0 (at most 1000000).");
        }
        else
        {
            quantity = (int)q;
        }

        var unitPrice = 0m;
        if (line.UnitPrice is not { } p)
        {
            errors.Add($"{path}.unitPrice", "The unit price is required.");
        }
        else if (p < 0)
        {
            errors.Add($"{path}.unitPrice", "The unit price must be 0 or more.");
        }
        else if (p > MaxAmount || decimal.Round(p, 4) != p)
        {
            errors.Add($"{path}.unitPrice", "The unit price must be at most 1000000000, with at most 4 decimals.");
        }
        else
        {
            unitPrice = p;
        }

        if (!HsCode.TryCreate(line.HsCode, out var hs, out var hsReason))
        {
            errors.Add($"{path}.hsCode", hsReason!);
        }
        if (!CountryCode.TryCreate(line.OriginCountry, out var origin, out var originReason))
        {
            errors.Add($"{path}.originCountry", originReason!);
        }
        if (!Weight.TryCreate(line.WeightKg, out var weight, out var weightReason))
        {
            errors.Add($"{path}.weightKg", weightReason!);
        }
        IReadOnlyList<string> dangerousGoods = [];
        if (line.DangerousGoods is { } declared)
        {
            dangerousGoods = DangerousGoods.Normalize(declared, out var dgReason) ?? [];
            if (dgReason is not null)
            {
                errors.Add($"{path}.dangerousGoods", dgReason);
            }
        }
        else if (errors.Count == before)
        {
            dangerousGoods = DangerousGoods.DefaultFor(hs);
        }
        return errors.Count == before
            ? new ValidOrderLine(sku!, description!, quantity, unitPrice, hs, origin, weight, dangerousGoods, line.DangerousGoods is not null)
            : null;
    }

    /// <summary>
    /// Checks an address (an order's ship-to, a warehouse's): name, first line and city required, the country an ISO
    /// 3166-1 code, the postal code in the country's format. Errors are keyed under <paramref name="field"/>.
    /// </summary>
    public static ValidAddress? ValidateAddress(ValidationErrors errors, string field, AddressInput? address)
    {
        if (address is null)
        {
            errors.Add(field, "The address is required.");
            return null;
        }
        var before = errors.Count;
        var name = Text(errors, $"{field}.name", address.Name, 200, required: true);
        var line1 = Text(errors, $"{field}.line1", address.Line1, 200, required: true);
        var line2 = Text(errors, $"{field}.line2", address.Line2, 200, required: false);
        var city = Text(errors, $"{field}.city", address.City, 100, required: true);
        var region = Text(errors, $"{field}.region", address.Region, 100, required: false);
        string? postalCode = null;
        if (CountryCode.TryCreate(address.Country, out var country, out var reason))
        {
            var postalReason = PostalCodes.Check(country, address.PostalCode);
            if (postalReason is null)
            {
                postalCode = PostalCodes.Normalize(address.PostalCode);
            }
            else
            {
                errors.Add($"{field}.postalCode", postalReason);
            }
        }
        else
        {
            errors.Add($"{field}.country", reason!);
        }
        return errors.Count == before ? new ValidAddress(name!, line1!, line2, city!, region, postalCode, country) : null;
    }

    private static string? Text(ValidationErrors errors, string field, string? value, int maxLength, bool required)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors.Add(field, "This field is required.");
            }
            return null;
        }
        if (text.Length > maxLength)
        {
            errors.Add(field, $"At most {maxLength} characters.");
            return null;
        }
        if (text.Any(char.IsControl))
        {
            errors.Add(field, "Control characters are not allowed.");
            return null;
        }
        return text;
    }

    /// <summary>A stable fingerprint of the order's content, independent of how amounts were written (1.50 = 1.5).</summary>
    private static string HashOf(ValidOrder o)
    {
        var text = new StringBuilder();
        void Field(object? value) => text.Append(value switch
        {
            decimal d => Decimals.Normalize(d).ToString(CultureInfo.InvariantCulture),
            null => "",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        }).Append('\u001f');

        Field(o.Reference);
        Field(o.BuyerName);
        Field(o.BuyerEmail.Value);
        Field(o.BuyerPhone);
        Field(o.BuyerLocale?.Tag);
        Field(o.BuyerTimeZone?.Id);
        Field(o.ShipToName);
        Field(o.ShipToLine1);
        Field(o.ShipToLine2);
        Field(o.ShipToCity);
        Field(o.ShipToRegion);
        Field(o.ShipToPostalCode);
        Field(o.ShipToCountry.Value);
        Field(o.Incoterm.ToString());
        Field(o.Currency.Code);
        if (o.ShippingPrice is { } shippingPrice)
        {
            // Only when given, so an order without one hashes as it did before the field existed.
            Field("shipping:" + Decimals.Normalize(shippingPrice).ToString(CultureInfo.InvariantCulture));
        }
        foreach (var l in o.Lines)
        {
            text.Append('\u001e');
            Field(l.Sku);
            Field(l.Description);
            Field(l.Quantity);
            Field(l.UnitPrice);
            Field(l.HsCode.Digits);
            Field(l.OriginCountry.Value);
            Field(l.UnitWeight.Kilograms);
            if (l.DangerousGoodsDeclared)
            {
                // Only when declared, so an order without declarations hashes as it did before the field existed.
                Field("dg:" + DangerousGoods.ToColumn(l.DangerousGoods));
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
