using Waybill.Tracking;

namespace Waybill.Notifications;

/// <summary>
/// What buyers are told, and when (DOMAIN.md "What buyers are told, and when"): the kinds of notification, named for
/// the buyer, and the milestone each announces. A kind is overtaken (superseded) when the shipment has since reached a
/// later milestone that has a notification of its own: telling the buyer "at customs" after "delivered" helps nobody.
/// </summary>
public static class NotificationKinds
{
    public const string Shipped = "shipped";
    public const string ApproachingCustoms = "approaching_customs";
    public const string AtCustoms = "at_customs";
    public const string CustomsHeld = "customs_held";
    public const string CustomsCleared = "customs_cleared";
    public const string AtDeliveryOffice = "at_delivery_office";
    public const string OutForDelivery = "out_for_delivery";
    public const string DeliveryAttempted = "delivery_attempted";
    public const string AvailableForPickup = "available_for_pickup";
    public const string Delayed = "delayed";
    public const string Delivered = "delivered";
    public const string ReturnedToSender = "returned_to_sender";

    /// <summary>Seller alerts: an exception on the shipment (customs hold, loss, damage, return, failed attempt).</summary>
    public const string Exception = "exception";

    /// <summary>Seller alert: no scan for longer than the lane's usual gap at that stage.</summary>
    public const string Stalled = "stalled";

    /// <summary>
    /// A buyer is not told of a milestone that happened longer ago than this when its event arrived (a carrier's late
    /// backlog, history loaded at once): the news is old; the tracking page has it.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(72);

    public static readonly IReadOnlyList<string> Buyer =
    [
        Shipped, ApproachingCustoms, AtCustoms, CustomsHeld, CustomsCleared, AtDeliveryOffice, OutForDelivery,
        DeliveryAttempted, AvailableForPickup, Delayed, Delivered, ReturnedToSender,
    ];

    public static readonly IReadOnlyList<string> Seller = [Exception, Stalled];

    /// <summary>The index of a buyer kind in <see cref="Buyer"/> (-1 for others).</summary>
    public static int IndexOf(string kind)
    {
        for (var i = 0; i < Buyer.Count; i++)
        {
            if (Buyer[i] == kind)
            {
                return i;
            }
        }
        return -1;
    }

    public static readonly IReadOnlyList<string> All = [.. Buyer, .. Seller];

    /// <summary>The buyer kind an event's milestone triggers (null for milestones the buyer is not told of).</summary>
    public static string? ForMilestone(Milestone milestone) => milestone switch
    {
        Milestone.Posted or Milestone.DepartedOriginHub or Milestone.ExportCustoms or Milestone.DepartedOriginCountry => Shipped,
        Milestone.AtImportCustoms => AtCustoms,
        Milestone.CustomsHeld => CustomsHeld,
        Milestone.CustomsCleared => CustomsCleared,
        Milestone.AtDeliveryOffice => AtDeliveryOffice,
        Milestone.OutForDelivery => OutForDelivery,
        Milestone.DeliveryAttempted => DeliveryAttempted,
        Milestone.AvailableForPickup => AvailableForPickup,
        Milestone.Delivered => Delivered,
        Milestone.ReturnedToSender => ReturnedToSender,
        _ => null,
    };

    /// <summary>The last milestone a kind speaks of: past it, the kind is news no more.</summary>
    public static Milestone? LastMilestoneOf(string kind) => kind switch
    {
        Shipped => Milestone.DepartedOriginCountry,
        ApproachingCustoms => Milestone.ArrivedDestinationCountry,
        AtCustoms => Milestone.AtImportCustoms,
        CustomsHeld => Milestone.CustomsHeld,
        CustomsCleared => Milestone.CustomsCleared,
        AtDeliveryOffice => Milestone.AtDeliveryOffice,
        OutForDelivery => Milestone.OutForDelivery,
        DeliveryAttempted => Milestone.DeliveryAttempted,
        AvailableForPickup => Milestone.AvailableForPickup,
        _ => null, // delayed, delivered, returned to sender and the seller's alerts are never overtaken
    };

    /// <summary>
    /// True when a buyer notification of this kind has been overtaken by the shipment's milestone: the shipment went past
    /// the kind's milestone to one that the buyer is told of in its own right.
    /// </summary>
    public static bool IsOvertaken(string kind, Milestone? current) =>
        LastMilestoneOf(kind) is { } last && current is { } now && now > last && ForMilestone(now) is not null;

    /// <summary>
    /// An event the seller hears of (DOMAIN.md: customs holds, returns to sender, loss, damage; and failed delivery
    /// attempts, which the buyer may not act on): any event with an exception reason or status, a failed attempt, a return.
    /// </summary>
    public static bool IsSellerException(TrackingStatus? status, Milestone? milestone, string? exceptionReason) =>
        exceptionReason is not null || status is TrackingStatus.Exception or TrackingStatus.FailedAttempt || milestone == Milestone.ReturnedToSender;

    /// <summary>The kinds no event causes, decided from the forecasts (<see cref="ForecastSweep"/>): news no more once the parcel is delivered or returned.</summary>
    public static bool IsPredictive(string kind) => kind is ApproachingCustoms or Delayed or Stalled;

    /// <summary>Kinds repeated per occurrence (each attempt, each exception, each new estimate): the rest are once per shipment.</summary>
    public static bool IsRepeatable(string kind) => kind is DeliveryAttempted or Exception or Delayed;
}
