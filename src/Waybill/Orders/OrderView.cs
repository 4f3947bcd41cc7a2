using Waybill.Common;

namespace Waybill.Orders;

/// <summary>An order as the API shows it: plain strings and numbers, amounts in the order's currency.</summary>
public sealed record OrderView(
    Guid Id,
    string Reference,
    string Status,
    string Currency,
    string Incoterm,
    decimal GoodsTotal,
    decimal TotalWeightKg,
    DateTimeOffset CreatedAt,
    BuyerView Buyer,
    AddressView ShipTo,
    IReadOnlyList<OrderLineView> Lines,
    Guid? WarehouseId,
    decimal? ShippingPrice,
    OrderLandedCostView? LandedCost)
{
    public static OrderView Of(Order o) => new(
        o.Id,
        o.Reference,
        o.Status.ToString().ToLowerInvariant(),
        o.Currency.Code,
        o.Incoterm.ToString(),
        Decimals.Normalize(o.GoodsTotal),
        Decimals.Normalize(o.TotalWeightKg),
        o.CreatedAt,
        new BuyerView(o.BuyerName, o.BuyerEmail.Value, o.BuyerPhone, o.BuyerLocale, o.BuyerTimeZone),
        new AddressView(o.ShipToName, o.ShipToLine1, o.ShipToLine2, o.ShipToCity, o.ShipToRegion, o.ShipToPostalCode, o.ShipToCountry.Value),
        o.Lines.OrderBy(l => l.LineNumber).Select(l => new OrderLineView(
            l.Sku, l.Description, l.Quantity, Decimals.Normalize(l.UnitPrice), l.HsCode.Digits, l.OriginCountry.Value, Decimals.Normalize(l.WeightKg),
            DangerousGoods.FromColumn(l.DangerousGoods), l.DangerousGoodsDeclared ? "declared" : "hs_default")).ToList(),
        o.WarehouseId,
        o.ShippingPrice is { } shipping ? Decimals.Normalize(shipping) : null,
        OrderLandedCost.Read(o.LandedCost));
}

public sealed record BuyerView(string Name, string Email, string? Phone, string? Locale, string? TimeZone);

public sealed record AddressView(string Name, string Line1, string? Line2, string City, string? Region, string? PostalCode, string Country);

/// <summary>
/// One order line; <c>weightKg</c> is the weight of one unit. <c>dangerousGoodsSource</c> says whether the seller
/// declared the dangerous goods or they are the HS code's default.
/// </summary>
public sealed record OrderLineView(
    string Sku, string Description, int Quantity, decimal UnitPrice, string HsCode, string OriginCountry, decimal WeightKg,
    IReadOnlyList<string> DangerousGoods, string DangerousGoodsSource)
{
    /// <summary>Equal by value, the dangerous goods compared item by item.</summary>
    public bool Equals(OrderLineView? other) =>
        other is not null && Sku == other.Sku && Description == other.Description && Quantity == other.Quantity
        && UnitPrice == other.UnitPrice && HsCode == other.HsCode && OriginCountry == other.OriginCountry
        && WeightKg == other.WeightKg && DangerousGoods.SequenceEqual(other.DangerousGoods)
        && DangerousGoodsSource == other.DangerousGoodsSource;

    public override int GetHashCode() => HashCode.Combine(Sku, Quantity, UnitPrice, HsCode, string.Join(',', DangerousGoods));
}
