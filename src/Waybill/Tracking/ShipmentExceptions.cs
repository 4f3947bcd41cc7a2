using System.Linq.Expressions;
using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>
/// What is wrong with a shipment now, from its merged state (the status and milestone columns, both indexed), the reason
/// of the event that decided its status (one lookup by key) and the forecast sweep's stall alert for its last scan:
/// <list type="bullet">
/// <item><c>customs_held</c>: the highest milestone reached is a customs hold (not cleared since), or the latest event
/// is an exception with the reason <c>customs_held</c> (an export hold);</item>
/// <item><c>failed_attempt</c>: the latest event is a failed attempt, or the highest milestone is an attempted delivery
/// (not delivered, not waiting at a pick-up point since);</item>
/// <item><c>lost</c>, <c>damaged</c>: the latest event is an exception with that reason (a parcel scanned onwards after a
/// damage report leaves: the seller was alerted when it happened, and the timeline keeps it);</item>
/// <item><c>other</c>: any other exception status (an address problem, a refusal, a hold at the delivery office);</item>
/// <item><c>stalled</c>: the forecast sweep (<see cref="ForecastSweep"/>) alerted the seller that no scan came for
/// longer than usual after the last scan, and none came since;</item>
/// <item><c>returned</c>: returned to the sender; the only kind that stays after delivery (back to the sender), for
/// <see cref="ReturnedStays"/> after the last scan, time for the seller to refund or send again.</item>
/// </list>
/// A delivered shipment has none, and neither has one with no scan for <see cref="ForecastSweep.Horizon"/> (given up,
/// as the sweep gives it up), so the queue does not fill with the past. <see cref="Where"/> (the list's filter, in SQL)
/// and <see cref="Of"/> (each listed shipment's kinds) say the same.
/// </summary>
public static class ShipmentExceptions
{
    public const string CustomsHeld = "customs_held";
    public const string Stalled = "stalled";
    public const string FailedAttempt = "failed_attempt";
    public const string Lost = "lost";
    public const string Damaged = "damaged";
    public const string Returned = "returned";
    public const string Other = "other";

    /// <summary>The filter value matching a shipment with any kind.</summary>
    public const string Any = "any";

    public static readonly IReadOnlyList<string> Kinds = [CustomsHeld, Stalled, FailedAttempt, Lost, Damaged, Returned, Other];

    /// <summary>How long a returned parcel stays in the exceptions after its last scan.</summary>
    public static readonly TimeSpan ReturnedStays = TimeSpan.FromDays(30);

    // The exception reasons of the event mapping (data/tracking/events) that are kinds of their own.
    private const string HeldReason = "customs_held";
    private const string LostReason = "lost";
    private const string DamagedReason = "damaged";

    /// <summary>The shipments with the given kind (<see cref="Any"/>: with any kind) as of <paramref name="now"/>.</summary>
    internal static IQueryable<Shipment> Where(IQueryable<Shipment> query, WaybillDb db, string kind, DateTimeOffset now)
    {
        var horizon = now - ForecastSweep.Horizon;
        var returnedSince = now - ReturnedStays;
        var events = db.TrackingEvents;
        var notifications = db.Notifications;
        Expression<Func<Shipment, bool>> returned = s => s.Milestone == Milestone.ReturnedToSender && s.LastEventAt >= returnedSince;
        if (kind == Returned)
        {
            return query.Where(returned);
        }
        Expression<Func<Shipment, bool>> held = s => s.Milestone == Milestone.CustomsHeld
            || (s.Status == TrackingStatus.Exception && events.Any(e => e.Id == s.LastEventId && e.ExceptionReason == HeldReason));
        Expression<Func<Shipment, bool>> failed = s => s.Status == TrackingStatus.FailedAttempt || s.Milestone == Milestone.DeliveryAttempted;
        Expression<Func<Shipment, bool>> lost = s => s.Status == TrackingStatus.Exception && events.Any(e => e.Id == s.LastEventId && e.ExceptionReason == LostReason);
        Expression<Func<Shipment, bool>> damaged = s => s.Status == TrackingStatus.Exception && events.Any(e => e.Id == s.LastEventId && e.ExceptionReason == DamagedReason);
        Expression<Func<Shipment, bool>> other = s => s.Status == TrackingStatus.Exception
            && s.Milestone != Milestone.CustomsHeld && s.Milestone != Milestone.DeliveryAttempted
            && !events.Any(e => e.Id == s.LastEventId && (e.ExceptionReason == HeldReason || e.ExceptionReason == LostReason || e.ExceptionReason == DamagedReason));
        Expression<Func<Shipment, bool>> stalled = s => notifications.Any(n =>
            n.ShipmentId == s.Id && n.Kind == NotificationKinds.Stalled && n.Channel == "email" && n.Occurrence == s.LastEventId);
        Expression<Func<Shipment, bool>> active = s => (s.Milestone == null || s.Milestone < Milestone.Delivered) && s.LastEventAt >= horizon;
        var which = kind switch
        {
            CustomsHeld => held,
            FailedAttempt => failed,
            Lost => lost,
            Damaged => damaged,
            Other => other,
            Stalled => stalled,
            _ => Or(held, failed, lost, damaged, other, stalled),
        };
        var filter = And(active, which);
        return query.Where(kind == Any ? Or(filter, returned) : filter);
    }

    /// <summary>
    /// The kinds of one shipment, each since when: the first time its milestone was reached where a milestone says it
    /// (a hold, an attempt, a return; from <paramref name="facts"/>), else the last scan's time.
    /// </summary>
    internal static IReadOnlyList<ExceptionView> Of(Shipment s, string? lastReason, bool stalled, JourneyFacts? facts, DateTimeOffset now)
    {
        if (s.LastEventAt is not { } last)
        {
            return [];
        }
        DateTimeOffset Since(Milestone milestone) => facts?.Reached.TryGetValue(milestone, out var at) == true ? at : last;
        if (s.Milestone == Milestone.ReturnedToSender)
        {
            return last >= now - ReturnedStays ? [new ExceptionView(Returned, Since(Milestone.ReturnedToSender))] : [];
        }
        if (s.Milestone is Milestone.Delivered || last < now - ForecastSweep.Horizon)
        {
            return [];
        }
        var kinds = new List<ExceptionView>();
        var exception = s.Status == TrackingStatus.Exception;
        if (s.Milestone == Milestone.CustomsHeld || (exception && lastReason == HeldReason))
        {
            kinds.Add(new ExceptionView(CustomsHeld, s.Milestone == Milestone.CustomsHeld ? Since(Milestone.CustomsHeld) : last));
        }
        if (s.Status == TrackingStatus.FailedAttempt || s.Milestone == Milestone.DeliveryAttempted)
        {
            kinds.Add(new ExceptionView(FailedAttempt, s.Milestone == Milestone.DeliveryAttempted ? Since(Milestone.DeliveryAttempted) : last));
        }
        if (exception && lastReason == LostReason)
        {
            kinds.Add(new ExceptionView(Lost, last));
        }
        if (exception && lastReason == DamagedReason)
        {
            kinds.Add(new ExceptionView(Damaged, last));
        }
        if (exception && s.Milestone is not (Milestone.CustomsHeld or Milestone.DeliveryAttempted) && lastReason is not (HeldReason or LostReason or DamagedReason))
        {
            kinds.Add(new ExceptionView(Other, last));
        }
        if (stalled)
        {
            kinds.Add(new ExceptionView(Stalled, last));
        }
        return kinds.Count == 0 ? [] : kinds;
    }

    private static Expression<Func<Shipment, bool>> Or(params Expression<Func<Shipment, bool>>[] predicates) =>
        predicates.Aggregate((a, b) => Combine(a, b, Expression.OrElse));

    private static Expression<Func<Shipment, bool>> And(Expression<Func<Shipment, bool>> a, Expression<Func<Shipment, bool>> b) =>
        Combine(a, b, Expression.AndAlso);

    private static Expression<Func<Shipment, bool>> Combine(
        Expression<Func<Shipment, bool>> a, Expression<Func<Shipment, bool>> b, Func<Expression, Expression, BinaryExpression> join)
    {
        var s = a.Parameters[0];
        var right = new Rebind(b.Parameters[0], s).Visit(b.Body);
        return Expression.Lambda<Func<Shipment, bool>>(join(a.Body, right), s);
    }

    /// <summary>Puts one lambda's parameter in place of another's, so that two predicates join into one.</summary>
    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>One thing wrong with a shipment (<see cref="ShipmentExceptions"/>), and since when.</summary>
public sealed record ExceptionView(string Kind, DateTimeOffset Since);
