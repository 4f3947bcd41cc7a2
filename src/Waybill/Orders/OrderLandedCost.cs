using System.Globalization;
using System.Text.Json;
using Waybill.Common;
using Waybill.Customs;

namespace Waybill.Orders;

/// <summary>
/// An order's landed cost as shown on the order: the quote, what it assumed (where from, by what mode, on what date), and
/// whether it is final (a DDP order once booked) or provisional.
/// </summary>
public sealed record OrderLandedCostView(bool Final, string From, string Mode, string Date, LandedCostView Quote);

/// <summary>Prices an order's landing with the landed-cost calculator: provisionally at creation, finally at booking (DDP).</summary>
public static class OrderLandedCost
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The landed cost of <paramref name="order"/> shipped from <paramref name="from"/> on <paramref name="date"/>, as the
    /// JSON the order keeps; null when the parcel crosses no customs border or cannot be priced (no exchange rate on the
    /// date). An error when the destination refuses it: <c>customs.embargoed</c> or <c>customs.prohibited_goods</c>.
    /// </summary>
    public static Result<string?> Of(Order order, CountryCode from, DateOnly date, ShippingMode mode, decimal? shipping, IReadOnlySet<string> schemes, bool final)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!LandedCostCalculator.CrossesBorder(from, order.ShipToCountry))
        {
            return (string?)null;
        }
        var lines = order.Lines.OrderBy(l => l.LineNumber)
            .Select(l => new QuoteLine(l.HsCode, l.OriginCountry, l.Quantity, l.UnitPrice, l.WeightKg)).ToList();
        var request = new QuoteRequest(from, order.ShipToCountry, date, mode, order.Incoterm, order.Currency, shipping ?? 0m, 0m, lines, schemes);
        var quote = LandedCostCalculator.Default.Quote(request);
        if (!quote.IsSuccess)
        {
            return quote.Error!.Code is "customs.embargoed" or "customs.prohibited_goods" ? quote.Error : (string?)null;
        }
        var view = new OrderLandedCostView(final, from.Value, mode.ToString().ToLowerInvariant(), date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            LandedCostView.Of(quote.Value, order.Currency));
        return JsonSerializer.Serialize(view, Json);
    }

    /// <summary>The stored JSON read back for the order's view.</summary>
    public static OrderLandedCostView? Read(string? stored) => stored is null ? null : JsonSerializer.Deserialize<OrderLandedCostView>(stored, Json);
}
