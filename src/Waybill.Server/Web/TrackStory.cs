using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.TimeZones;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Tenancy;
using Waybill.Tracking;
using Waybill.Tracking.Detection;

namespace Waybill.Server.Web;

/// <summary>How a shown time was placed in a zone: the scan's own offset, its country's zone, or the viewer's fallback zone.</summary>
public enum TimeBasis
{
    Scan,
    Place,
    Fallback,
}

/// <summary>One scan as the buyer sees it: the local time, the place (city and country only), what happened, the carrier's code.</summary>
public sealed record TrackEvent(
    DateTimeOffset Local, TimeBasis Basis, string? City, CountryCode Country, Milestone? Milestone, TrackingStatus? Status,
    string? ExceptionReason, string Carrier, string Description);

/// <summary>How the buyer proves the parcel is theirs: the destination postal code, or (a country without postal codes) the order reference.</summary>
public enum ConfirmBy
{
    Nothing,
    PostalCode,
    OrderReference,
}

/// <summary>
/// A parcel's story for its buyer, read across tenants by tracking number: where it is, its timeline across all legs in
/// local times, its journey, when it is expected, and what the buyer should do now. It holds the order, but the page
/// shows the order's personal data only to a buyer who confirmed (<see cref="TrackConfirmation"/>).
/// </summary>
public sealed class TrackStory
{
    /// <summary>The 5 steps of the journey (origin country, in transit, destination customs, local delivery office, last step).</summary>
    public const int Steps = 5;

    public required Guid ShipmentId { get; init; }

    public required ShipmentView Shipment { get; init; }

    public required IReadOnlyList<TrackEvent> Timeline { get; init; }

    public required string SellerName { get; init; }

    /// <summary>The order, for the confirmation and (once confirmed) the recipient; null for a shipment without one.</summary>
    public Order? Order { get; init; }

    public Milestone? Milestone { get; init; }

    public TrackingStatus Status { get; init; }

    public CountryCode? Origin { get; init; }

    public CountryCode? Destination { get; init; }

    /// <summary>The zone of times whose scan's own is not known: the buyer's, the destination's, the seller's, or UTC.</summary>
    public required DateTimeZone FallbackZone { get; init; }

    public required ZoneSource FallbackSource { get; init; }

    public DutiesAtDelivery Duties { get; init; } = DutiesAtDelivery.Unknown;

    /// <summary>The expected delivery window's first and last day in the fallback zone.</summary>
    public (LocalDate First, LocalDate Last)? Expected { get; init; }

    public string? ForecastSource { get; init; }

    /// <summary>The event of the current milestone (its place and time), when there is one.</summary>
    public TrackEvent? MilestoneEvent { get; init; }

    /// <summary>Until when the parcel waits at the pick-up point, as a local date (the carrier's hold period).</summary>
    public LocalDate? PickupUntil { get; init; }

    /// <summary>The last leg's carrier (its code): the one that delivers.</summary>
    public required string LastCarrier { get; init; }

    public ConfirmBy ConfirmBy =>
        Order is null ? ConfirmBy.Nothing
        : PostalCodes.UsesPostalCodes(Order.ShipToCountry) && !string.IsNullOrWhiteSpace(Order.ShipToPostalCode) ? ConfirmBy.PostalCode
        : ConfirmBy.OrderReference;

    /// <summary>True when the typed value is the order's postal code (or reference), ignoring case, spaces and dashes.</summary>
    public bool Confirms(string? given) => ConfirmBy switch
    {
        ConfirmBy.PostalCode => TrackConfirmation.Matches(Order!.ShipToPostalCode, given),
        ConfirmBy.OrderReference => TrackConfirmation.Matches(Order!.Reference, given),
        _ => false,
    };

    /// <summary>The journey step the parcel is at (0 to 4), or null before the first scan and after a return to the sender.</summary>
    public int? Step => Milestone switch
    {
        null or Tracking.Milestone.ReturnedToSender => null,
        Tracking.Milestone.Posted or Tracking.Milestone.DepartedOriginHub or Tracking.Milestone.ExportCustoms => 0,
        Tracking.Milestone.DepartedOriginCountry or Tracking.Milestone.ArrivedDestinationCountry => 1,
        Tracking.Milestone.AtImportCustoms or Tracking.Milestone.CustomsHeld or Tracking.Milestone.CustomsCleared => 2,
        Tracking.Milestone.AtDeliveryOffice or Tracking.Milestone.AvailableForPickup => 3,
        _ => 4, // out for delivery, delivery attempted, delivered
    };

    public bool Delivered => Milestone == Tracking.Milestone.Delivered;

    /// <summary>The parcel passes a customs border (not within one country or the EU); true while either end is unknown.</summary>
    public bool CrossesCustoms => Origin is not { } from || Destination is not { } to || Customs.LandedCostCalculator.CrossesBorder(from, to);

    public bool Returned => Milestone == Tracking.Milestone.ReturnedToSender;

    /// <summary>
    /// The shipment whose leg has the number, across every tenant (the page is public); where several tenants use the
    /// same number, the most recently updated shipment. Null when none has it.
    /// </summary>
    public static async Task<(Guid Tenant, Guid Shipment)?> FindAsync(WaybillDb db, string number, CancellationToken ct)
    {
        // Every seller's legs, by the tracking number's own index (shipment_legs.tracking_number).
        var found = await db.ShipmentLegs.IgnoreQueryFilters().AsNoTracking()
            .Where(l => l.TrackingNumber == number)
            .Join(db.Shipments.IgnoreQueryFilters().AsNoTracking(), l => l.ShipmentId, s => s.Id, (l, s) => new { s.Id, s.TenantId, s.UpdatedAt })
            .ToListAsync(ct);
        return found.Count == 0 ? null
            : found.OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id).Select(s => ((Guid, Guid)?)(s.TenantId, s.Id)).First();
    }

    /// <summary>Reads the story of a shipment of the context's tenant (<see cref="WaybillDb.TenantId"/> set by the caller).</summary>
    public static async Task<TrackStory?> LoadAsync(WaybillDb db, Guid shipmentId, DeliveryForecasts forecasts, TimeProvider clock, CancellationToken ct)
    {
        var shipment = await new GetShipment.Handler(db, forecasts, clock).HandleAsync(shipmentId, ct);
        var events = await new ListShipmentEvents.Handler(db).HandleAsync(shipmentId, ct);
        if (!shipment.IsSuccess || !events.IsSuccess)
        {
            return null;
        }
        var view = shipment.Value;
        var order = view.OrderId is { } orderId ? await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId, ct) : null;
        var seller = await db.Tenants.AsNoTracking().Where(t => t.Id == db.TenantId).Select(t => t.Name).SingleOrDefaultAsync(ct) ?? "";
        var settings = (await new GetSettings.Handler(db).HandleAsync(ct)).Notifications;
        var (zone, source) = order is null
            ? BuyerFacts.BuyerZone(null, null, settings.TimeZone)
            : BuyerFacts.BuyerZone(order.BuyerTimeZone, order.ShipToCountry, settings.TimeZone);

        var timeline = events.Value.Select(e => ToTrackEvent(e, zone)).ToList();
        Milestone? milestone = TrackingNames.TryParse<Milestone>(view.Milestone, out var m) ? m : null;
        var status = TrackingNames.TryParse<TrackingStatus>(view.Status, out var s) ? s : TrackingStatus.Pending;
        var origin = timeline.Count > 0 ? timeline.MinBy(e => e.Local.UtcDateTime)!.Country : (CountryCode?)null;
        var destination = order?.ShipToCountry
            ?? timeline.Where(e => e.Milestone is >= Tracking.Milestone.ArrivedDestinationCountry and < Tracking.Milestone.ReturnedToSender)
                .MinBy(e => e.Local.UtcDateTime)?.Country;
        // The scan that reached the current milestone (the latest of them: a second pick-up point replaces the first).
        var milestoneIndex = milestone is null ? -1 : timeline.FindLastIndex(e => e.Milestone == milestone);
        var milestoneEvent = milestoneIndex < 0 ? null : timeline[milestoneIndex];
        var milestoneView = milestoneIndex < 0 ? null : events.Value[milestoneIndex];
        LocalDate? pickupUntil = milestone == Tracking.Milestone.AvailableForPickup && milestoneView is not null
            && BuyerFacts.PickupUntil(milestoneView.Carrier, milestoneView.OccurredAt) is { } until
            ? LocalIn(until, milestoneEvent!.Basis == TimeBasis.Fallback ? zone : ZoneAtScan(milestoneView)).Date
            : null;
        (LocalDate, LocalDate)? expected = view.ExpectedDelivery is { } window
            ? (LocalIn(window.Earliest, zone).Date, LocalIn(window.Latest, zone).Date)
            : null;
        var lastLeg = view.Legs.Count > 0 ? view.Legs[^1] : null;
        return new TrackStory
        {
            ShipmentId = view.Id,
            Shipment = view,
            Timeline = timeline,
            SellerName = seller,
            Order = order,
            Milestone = milestone,
            Status = status,
            Origin = origin,
            Destination = destination,
            FallbackZone = zone,
            FallbackSource = source,
            Duties = order is null ? DutiesAtDelivery.Unknown : BuyerFacts.DutiesOf(order),
            Expected = expected,
            ForecastSource = view.ForecastSource is { } f && f != "none" ? f : view.ExpectedDelivery is null ? null : "booking",
            MilestoneEvent = milestoneEvent,
            PickupUntil = pickupUntil,
            LastCarrier = lastLeg?.Carrier ?? "",
        };
    }

    /// <summary>A carrier's name for people: the courier registry's, else the sandbox network's, else its code.</summary>
    public static string CarrierName(string code) =>
        CarrierRegistry.Default.Couriers.FirstOrDefault(c => c.Code == code)?.Name
        ?? Shipping.Sandbox.SandboxCatalogue.Default.FindCarrier(code)?.Name
        ?? code;

    /// <summary>
    /// A scan's local time: its own offset when the carrier gave one other than UTC; a UTC stamp in its country's zone
    /// when every zone of the country agrees at that instant; else in the fallback zone.
    /// </summary>
    private static TrackEvent ToTrackEvent(EventView e, DateTimeZone fallback)
    {
        TimeBasis basis;
        DateTimeOffset local;
        if (e.OccurredAt.Offset != TimeSpan.Zero)
        {
            (basis, local) = (TimeBasis.Scan, e.OccurredAt);
        }
        else if (CountryZone(e) is { } zone)
        {
            (basis, local) = (TimeBasis.Place, LocalIn(e.OccurredAt, zone).ToDateTimeOffset());
        }
        else
        {
            (basis, local) = (TimeBasis.Fallback, LocalIn(e.OccurredAt, fallback).ToDateTimeOffset());
        }
        Milestone? milestone = TrackingNames.TryParse<Milestone>(e.Milestone, out var m) ? m : null;
        TrackingStatus? status = TrackingNames.TryParse<TrackingStatus>(e.Status, out var s) ? s : null;
        // The stored country was checked on ingest.
        var country = CountryCode.TryCreate(e.Location.Country, out var c, out _) ? c : throw new InvalidOperationException($"Event {e.Id} has no valid country.");
        return new TrackEvent(local, basis, e.Location.City, country, milestone, status, e.ExceptionReason, e.Carrier, e.Description);
    }

    private static DateTimeZone ZoneAtScan(EventView e) =>
        e.OccurredAt.Offset != TimeSpan.Zero ? DateTimeZone.ForOffset(Offset.FromTimeSpan(e.OccurredAt.Offset)) : CountryZone(e) ?? DateTimeZone.Utc;

    /// <summary>The zone of the scan's country, when all the country's zones have the same offset at the scan's instant.</summary>
    private static DateTimeZone? CountryZone(EventView e)
    {
        var instant = Instant.FromDateTimeOffset(e.OccurredAt);
        DateTimeZone? first = null;
        foreach (var location in TzdbDateTimeZoneSource.Default.ZoneLocations ?? [])
        {
            if (location.CountryCode != e.Location.Country || DateTimeZoneProviders.Tzdb.GetZoneOrNull(location.ZoneId) is not { } zone)
            {
                continue;
            }
            if (first is null)
            {
                first = zone;
            }
            else if (zone.GetUtcOffset(instant) != first.GetUtcOffset(instant))
            {
                return null;
            }
        }
        return first;
    }

    private static ZonedDateTime LocalIn(DateTimeOffset at, DateTimeZone zone) => Instant.FromDateTimeOffset(at).InZone(zone);
}
