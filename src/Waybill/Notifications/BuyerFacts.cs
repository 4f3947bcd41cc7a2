using NodaTime;
using NodaTime.TimeZones;
using Waybill.Common;
using Waybill.Orders;

namespace Waybill.Notifications;

/// <summary>Where a buyer's time zone came from: the order's, the ship-to country's, the seller's, or none (UTC).</summary>
public enum ZoneSource
{
    Buyer,
    Destination,
    Seller,
    Utc,
}

/// <summary>What the buyer pays at the door: nothing (the seller paid, DDP), an amount (DAP, from the order's landed cost), or not known.</summary>
public sealed record DutiesAtDelivery(bool PaidBySeller, string? Currency, decimal? Amount)
{
    public static readonly DutiesAtDelivery Unknown = new(false, null, null);

    public bool Due => Amount is > 0;
}

/// <summary>
/// The facts about a parcel that buyers are told, computed once for the notifications and the public tracking page:
/// the buyer's time zone, the duties due at delivery, until when a parcel waits at a pick-up point.
/// </summary>
public static class BuyerFacts
{
    /// <summary>The buyer's time zone, else the ship-to country's (its first zone in the tz database), else the tenant's, else UTC; with where it came from.</summary>
    public static (DateTimeZone Zone, ZoneSource Source) BuyerZone(string? timeZone, CountryCode? country, string? tenantTimeZone = null)
    {
        if (timeZone is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) is { } zone)
        {
            return (zone, ZoneSource.Buyer);
        }
        var location = country is { } c ? TzdbDateTimeZoneSource.Default.ZoneLocations?.FirstOrDefault(l => l.CountryCode == c.Value) : null;
        if (location is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(location.ZoneId) is { } countryZone)
        {
            return (countryZone, ZoneSource.Destination);
        }
        return tenantTimeZone is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(tenantTimeZone) is { } tenantZone
            ? (tenantZone, ZoneSource.Seller)
            : (DateTimeZone.Utc, ZoneSource.Utc);
    }

    /// <summary>
    /// Under DDP the seller paid; under DAP the duties, taxes and fees of the order's landed cost are due at the door,
    /// unless they were collected at checkout (IOSS, the UK's GBP 135 scheme and the like).
    /// </summary>
    public static DutiesAtDelivery DutiesOf(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Incoterm == Incoterm.DDP)
        {
            return new DutiesAtDelivery(true, null, null);
        }
        return OrderLandedCost.Read(order.LandedCost)?.Quote is { } quote && quote.Duty + quote.Tax + quote.Fees > 0 && quote.CollectedAt != "checkout"
            ? new DutiesAtDelivery(false, quote.Currency, quote.Duty + quote.Tax + quote.Fees)
            : DutiesAtDelivery.Unknown;
    }

    /// <summary>Until when a parcel that reached a pick-up point at <paramref name="arrivedAt"/> waits there: the carrier's hold period, where the carrier states one (the sandbox network's do).</summary>
    public static DateTimeOffset? PickupUntil(string carrier, DateTimeOffset arrivedAt) =>
        Shipping.Sandbox.SandboxCatalogue.Default.FindCarrier(carrier)?.PickupHoldDays is { } hold ? arrivedAt.AddDays(hold) : null;
}
