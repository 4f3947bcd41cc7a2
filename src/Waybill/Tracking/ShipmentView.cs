using Waybill.Common;

namespace Waybill.Tracking;

/// <summary>
/// The one representation of a shipment; later capabilities add fields to it. <c>expectedDelivery</c> is the forecast
/// (<see cref="DeliveryForecasts"/>) when one was made, else the window promised at booking; <c>expectedMilestones</c>
/// the forecast of each milestone still to come, and <c>forecastSource</c> where the figures come from. <c>order</c> names
/// the order's reference and buyer; <c>lane</c> the countries from and to (the order's warehouse and ship-to, else what the
/// scans tell); <c>exceptions</c> what is wrong with it now (<see cref="ShipmentExceptions"/>).
/// </summary>
public sealed record ShipmentView(
    Guid Id,
    Guid? OrderId,
    IReadOnlyList<LegView> Legs,
    string Status,
    string? Milestone,
    EventView? LastEvent,
    DeliveryWindow? ExpectedDelivery,
    DateTimeOffset CreatedAt,
    MoneyView? Price = null,
    IReadOnlyList<MilestoneForecast>? ExpectedMilestones = null,
    string? ForecastSource = null,
    ShipmentOrderView? Order = null,
    LaneView? Lane = null,
    IReadOnlyList<ExceptionView>? Exceptions = null)
{
    internal static ShipmentView Of(Shipment s, TrackingEvent? lastEvent, ShipmentForecast? forecast = null) => new(
        s.Id,
        s.OrderId,
        s.Legs.OrderBy(l => l.Sequence).Select(LegView.Of).ToList(),
        TrackingNames.Of(s.Status),
        s.Milestone is { } m ? TrackingNames.Of(m) : null,
        lastEvent is null ? null : EventView.Of(lastEvent),
        forecast?.Delivery ?? (s.ExpectedEarliest is { } earliest && s.ExpectedLatest is { } latest ? new DeliveryWindow(earliest, latest) : null),
        s.CreatedAt,
        s.PriceAmount is { } amount && s.PriceCurrency is { } currency ? MoneyView.Of(new Money(amount, currency)) : null,
        forecast?.Milestones ?? [],
        forecast?.Source);
}

/// <summary>A leg; <c>service</c> and <c>price</c> are set on booked legs.</summary>
public sealed record LegView(Guid Id, int Sequence, string? Role, string Carrier, string TrackingNumber, string? Service = null, MoneyView? Price = null)
{
    internal static LegView Of(ShipmentLeg l) => new(
        l.Id, l.Sequence, l.Role is { } r ? TrackingNames.Of(r) : null, l.Carrier, l.TrackingNumber, l.Service,
        l.PriceAmount is { } amount && l.PriceCurrency is { } currency ? MoneyView.Of(new Money(amount, currency)) : null);
}

/// <summary>The order a shipment carries, as a list of shipments names it.</summary>
public sealed record ShipmentOrderView(string Reference, string BuyerName);

/// <summary>Where a shipment goes from and to (ISO country codes; null where nothing tells).</summary>
public sealed record LaneView(string? Origin, string? Destination);

public sealed record DeliveryWindow(DateTimeOffset Earliest, DateTimeOffset Latest);

public sealed record LocationView(string? City, string? PostalCode, string Country);

/// <summary>One event on the timeline; <c>occurredAt</c> carries the carrier's own UTC offset.</summary>
public sealed record EventView(
    long Id,
    Guid? LegId,
    string Carrier,
    string TrackingNumber,
    string Code,
    string Description,
    string? Status,
    string? Milestone,
    string? ExceptionReason,
    bool Unmapped,
    LocationView Location,
    DateTimeOffset OccurredAt)
{
    internal static EventView Of(TrackingEvent e) => new(
        e.Id,
        e.LegId,
        e.Carrier,
        e.TrackingNumber,
        e.Code,
        e.Description,
        e.Status is { } s ? TrackingNames.Of(s) : null,
        e.Milestone is { } m ? TrackingNames.Of(m) : null,
        e.ExceptionReason,
        e.Unmapped,
        new LocationView(e.City, e.PostalCode, e.Country.Value),
        e.LocalTime);
}
