using System.Globalization;
using Waybill.Common;
using Waybill.Tracking;

namespace Waybill.Shipping.Sandbox;

/// <summary>One leg of a booked journey: its role (<see cref="Rates.EndToEnd"/>, <see cref="Rates.FirstMile"/>, ...), service and number.</summary>
public sealed record JourneyLeg(string Role, string ServiceId, string TrackingNumber);

/// <summary>A booked shipment as the network sees it: when it was booked, where it starts and ends, and its legs in order.</summary>
public sealed record Journey(DateTimeOffset BookedAt, SandboxPlace From, SandboxPlace To, IReadOnlyList<JourneyLeg> Legs);

/// <summary>An event the network sends, as a carrier feed would (its instant, for scheduling, and the event itself).</summary>
public sealed record NetworkEvent(DateTimeOffset At, EventInput Input);

/// <summary>
/// What the network does to one shipment: every event it will send (in time order), how the journey ends
/// (<see cref="SandboxNetwork.Delivered"/>, <see cref="SandboxNetwork.Returned"/>, <see cref="SandboxNetwork.Lost"/>) and the
/// exceptions on the way (<c>customs_hold</c>, <c>failed_attempt</c>, <c>lost</c>, <c>damaged</c>, <c>refused</c>, <c>returned</c>).
/// </summary>
public sealed record JourneyPlan(IReadOnlyList<NetworkEvent> Events, string Outcome, IReadOnlyList<string> Exceptions, DateTimeOffset? DeliveredAt)
{
    public DateTimeOffset End => Events[^1].At;
}

/// <summary>
/// The sandbox carrier network's behaviour: how it moves a booked shipment. Each leg's carrier reports in its own codes
/// (UPU codes for the posts, the sandbox vocabulary for the others: <c>data/tracking/events</c>), at local times and
/// places along the lane: pick-up in the sender's city, the origin hub, export customs, the flight or voyage, the
/// destination hub and import customs, the buyer's delivery office, delivery. Stage durations are drawn from the lane's
/// transit distributions (<see cref="Rates.StagesOf"/>, the stages the rates engine estimates with), exceptions at the
/// lane's rates; carriers hand the parcel over between legs. A plan is a pure function of the journey and the seed:
/// the same seed gives the same events. Nothing here writes anything: the events reach Waybill through ingest.
/// </summary>
public sealed class SandboxNetwork(SandboxCatalogue catalogue, SandboxPlaces places)
{
    public const string Delivered = "delivered";
    public const string Returned = "returned";
    public const string Lost = "lost";

    public const string CustomsHold = "customs_hold";
    public const string FailedAttempt = "failed_attempt";
    public const string Damaged = "damaged";
    public const string Refused = "refused";

    private static readonly Lazy<SandboxNetwork> Shared = new(() => new SandboxNetwork(SandboxCatalogue.Default, SandboxPlaces.Default));

    public static SandboxNetwork Default => Shared.Value;

    public SandboxCatalogue Catalogue => catalogue;

    public SandboxPlaces Places => places;

    /// <summary>The plan of one journey from its own random stream (<paramref name="seed"/>).</summary>
    /// <exception cref="ArgumentException">A leg names a service the catalogue does not have, or one that does not serve the lane.</exception>
    public JourneyPlan Plan(Journey journey, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(journey);
        if (journey.Legs.Count == 0)
        {
            throw new ArgumentException("A journey has at least one leg.", nameof(journey));
        }
        return new Run(this, journey, seed).Go();
    }

    private sealed record Leg(JourneyLeg Booked, SandboxCarrier Carrier, SandboxLane Lane, bool Postal);

    private sealed record Segment(int Leg, TransitStage Stage, StageTransit Transit);

    /// <summary>One journey being planned: the random stream, the clock and the events so far.</summary>
    private sealed class Run
    {
        private readonly Journey _journey;
        private readonly List<Leg> _legs = [];
        private readonly List<Segment> _segments = [];
        private readonly List<NetworkEvent> _events = [];
        private readonly List<string> _exceptions = [];
        private readonly SandboxPlace _originHub;
        private readonly SandboxPlace _destinationHub;
        private SplitMix64 _random;
        private DateTimeOffset _now;
        private SandboxPlace _at;

        public Run(SandboxNetwork network, Journey journey, ulong seed)
        {
            _journey = journey;
            _random = new SplitMix64(seed);
            _now = journey.BookedAt;
            _at = journey.From;
            _originHub = network.Places.HubOf(journey.From.Country);
            _destinationHub = network.Places.HubOf(journey.To.Country);
            foreach (var booked in journey.Legs)
            {
                var service = network.Catalogue.FindService(booked.ServiceId)
                    ?? throw new ArgumentException($"{booked.ServiceId} is not a service of the sandbox network.", nameof(journey));
                var to = booked.Role == Rates.FirstMile ? journey.From.Country : journey.To.Country;
                var lane = network.Catalogue.LaneOf(service, journey.From.Country, to, out var why)
                    ?? throw new ArgumentException($"{booked.ServiceId} cannot carry this journey: {why}", nameof(journey));
                var carrier = network.Catalogue.CarrierOf(service);
                _legs.Add(new Leg(booked, carrier, lane, carrier.TrackingNumber.Scheme == NumberScheme.S10));
                foreach (var (stage, transit) in Rates.StagesOf(booked.Role, lane.Transit))
                {
                    _segments.Add(new Segment(_legs.Count - 1, stage, transit));
                }
            }
        }

        public JourneyPlan Go()
        {
            // Every draw is made in a fixed order, so that one seed always gives one journey.
            var lostAt = -1;
            var damagedAt = -1;
            for (var i = 0; i < _legs.Count; i++)
            {
                var owned = Enumerable.Range(0, _segments.Count).Where(s => _segments[s].Leg == i).ToList();
                var rates = _legs[i].Lane.Exceptions;
                var lost = _random.Chance(rates.Lost);
                var damaged = _random.Chance(rates.Damaged);
                var where = owned.Count == 0 ? -1 : owned[_random.NextInt(owned.Count)];
                if (lost && lostAt < 0)
                {
                    lostAt = where;
                }
                if (damaged && damagedAt < 0)
                {
                    damagedAt = where;
                }
            }

            // Electronic pre-advice: every carrier but the posts says it has the shipment's data within minutes.
            foreach (var (leg, index) in _legs.Select((l, i) => (l, i)))
            {
                if (!leg.Postal)
                {
                    Emit(index, "INFO", _journey.BookedAt.AddMinutes(1 + _random.NextInt(10)), _journey.From);
                }
            }

            var previousLeg = 0;
            for (var s = 0; s < _segments.Count; s++)
            {
                var segment = _segments[s];
                if (segment.Leg != previousLeg)
                {
                    // Hand-over: the carrier that brought it says so; the next carrier's own scans follow.
                    Emit(previousLeg, "HND", _now.AddMinutes(20 + _random.NextInt(100)), _at);
                    previousLeg = segment.Leg;
                }
                var hours = Math.Exp(segment.Transit.Mu + (segment.Transit.Sigma * _random.NextStandardNormal()));
                if (s == lostAt)
                {
                    return LoseAt(segment, hours);
                }
                // Damage is found during the stage; on the first mile, at the origin hub, after the pick-up.
                if (s == damagedAt && segment.Stage != TransitStage.FirstMile)
                {
                    _exceptions.Add(Damaged);
                    Emit(segment.Leg, Code(segment.Leg, "DMG", "DAMAGED"), _now.AddHours(hours * 0.5), _at);
                }
                var ended = Move(segment, hours);
                if (s == damagedAt && segment.Stage == TransitStage.FirstMile)
                {
                    _exceptions.Add(Damaged);
                    Emit(segment.Leg, Code(segment.Leg, "DMG", "DAMAGED"), _now.AddHours(1 + _random.NextUnit()), _at);
                }
                if (ended is not null)
                {
                    return ended;
                }
            }
            throw new InvalidOperationException("A journey without a last mile never ends."); // every route ends with one
        }

        /// <summary>Moves the parcel through one stage; the plan when the stage ends the journey.</summary>
        private JourneyPlan? Move(Segment segment, double hours)
        {
            var leg = segment.Leg;
            switch (segment.Stage)
            {
                case TransitStage.FirstMile:
                    var pickup = Working(_now.AddHours(1 + (_random.NextUnit() * 3)), _journey.From, 9, 18);
                    Emit(leg, Code(leg, "PU", "EMA"), pickup, _journey.From);
                    Emit(leg, Code(leg, "HUB", "EMB"), pickup.AddHours(hours), _originHub);
                    return null;
                case TransitStage.ExportCustoms:
                    Emit(leg, Code(leg, "EXP", "EXA"), _now.AddHours(hours * 0.15), _originHub);
                    _now = _now.AddHours(hours * 0.85);
                    return null;
                case TransitStage.LineHaul:
                    Emit(leg, Code(leg, "DEP", "EMC"), _now.AddMinutes(30), _originHub);
                    Emit(leg, Code(leg, "ARR", "EMD"), _now.AddHours(hours), _destinationHub);
                    return null;
                case TransitStage.ImportCustoms:
                    var start = _now;
                    Emit(leg, Code(leg, "IMP", "EDB"), start.AddHours(hours * 0.1), _destinationHub);
                    var hold = 0.0;
                    if (_random.Chance(_legs[leg].Lane.Exceptions.CustomsHold))
                    {
                        _exceptions.Add(CustomsHold);
                        Emit(leg, Code(leg, "HOLD", "EME"), start.AddHours(hours * 0.4), _destinationHub);
                        hold = Math.Exp(Math.Log(36) + (0.95 * _random.NextStandardNormal())); // p50 1.5 days, p90 about 5
                    }
                    Emit(leg, Code(leg, "CLR", "EDC"), start.AddHours(hours + hold), _destinationHub);
                    if (_legs[leg].Postal)
                    {
                        Emit(leg, "EMF", _now.AddHours(1 + (_random.NextUnit() * 3)), _destinationHub);
                    }
                    return null;
                default:
                    return Deliver(segment, hours);
            }
        }

        private JourneyPlan Deliver(Segment segment, double hours)
        {
            var leg = segment.Leg;
            var to = _journey.To;
            var rates = _legs[leg].Lane.Exceptions;
            if (_legs[leg].Postal)
            {
                Emit(leg, "EDD", _now.AddHours(hours * 0.15), _destinationHub);
            }
            Emit(leg, Code(leg, "DO", "EMG"), _now.AddHours(hours * 0.85), to);
            var failed = _random.Chance(rates.FailedAttempt);
            var refused = _random.Chance(rates.Refused);
            var unclaimed = _random.Chance(rates.Returned);
            var secondFails = _random.Chance(0.3);
            var round = Working(_now.AddHours(2 + (_random.NextUnit() * 12)), to, 8, 11);
            Emit(leg, Code(leg, "OFD", "EDG"), round, to);
            var atDoor = round.AddHours(1 + (_random.NextUnit() * 7));
            if (refused)
            {
                _exceptions.Add(Refused);
                _exceptions.Add(Returned);
                if (_legs[leg].Postal)
                {
                    Emit(leg, "EMH", atDoor, to, "Refused - Item returned to sender");
                }
                else
                {
                    Emit(leg, "REF", atDoor, to);
                    Emit(leg, "RTS", Working(atDoor.AddDays(1), to, 9, 17), to);
                }
                return Done(Returned, null);
            }
            if (!failed && !unclaimed)
            {
                Emit(leg, Code(leg, "DLV", "EMI"), atDoor, to);
                return Done(Delivered, atDoor);
            }
            _exceptions.Add(FailedAttempt);
            Emit(leg, Code(leg, "ATT", "EMH"), atDoor, to, _legs[leg].Postal ? "Addressee not available - Will attempt delivery on next working day" : null);
            if (unclaimed || secondFails)
            {
                // Left at the delivery office for the buyer to collect.
                var notice = Working(atDoor.AddHours(14), to, 8, 10);
                Emit(leg, Code(leg, "PKP", "EDH"), notice, to);
                if (unclaimed)
                {
                    _exceptions.Add(Returned);
                    // Back to the sender once the carrier's hold period is over (a day or two later for the paperwork).
                    var back = Working(notice.AddDays((_legs[leg].Carrier.PickupHoldDays ?? 14) + 1 + _random.NextInt(2)), to, 9, 17);
                    if (_legs[leg].Postal)
                    {
                        Emit(leg, "EMH", back, to, "Unclaimed - Item returned to sender");
                    }
                    else
                    {
                        Emit(leg, "RTS", back, to);
                    }
                    return Done(Returned, null);
                }
                var collected = Working(notice.AddDays(1 + _random.NextInt(4)), to, 9, 19);
                Emit(leg, Code(leg, "DLV", "EMI"), collected, to);
                return Done(Delivered, collected);
            }
            var again = Working(atDoor.AddHours(16), to, 8, 11);
            Emit(leg, Code(leg, "OFD", "EDG"), again, to);
            var delivered = again.AddHours(1 + (_random.NextUnit() * 6));
            Emit(leg, Code(leg, "DLV", "EMI"), delivered, to);
            return Done(Delivered, delivered);
        }

        /// <summary>The parcel vanishes at the start of a stage (after its pick-up on the first mile); the carrier writes it off weeks later.</summary>
        private JourneyPlan LoseAt(Segment segment, double hours)
        {
            if (segment.Stage == TransitStage.FirstMile)
            {
                var pickup = Working(_now.AddHours(1 + (_random.NextUnit() * 3)), _journey.From, 9, 18);
                Emit(segment.Leg, Code(segment.Leg, "PU", "EMA"), pickup, _journey.From);
            }
            _exceptions.Add(Lost);
            var written = Working(_now.AddHours(hours).AddDays(10 + _random.NextInt(10)), _at, 9, 17);
            Emit(segment.Leg, "LOST", written, _at);
            return Done(Lost, null);
        }

        /// <summary>The plan; delivered at the delivery event's time (which <see cref="Emit"/> may have moved and cut to the second).</summary>
        private JourneyPlan Done(string outcome, DateTimeOffset? deliveredAt) =>
            new(_events, outcome, _exceptions, deliveredAt is null ? null : _events[^1].At);

        private string Code(int leg, string sandbox, string upu) => _legs[leg].Postal ? upu : sandbox;

        /// <summary>
        /// Records an event at <paramref name="at"/> (never before the previous one: a journey's scans are in order) in the
        /// place's local time, and moves the parcel's clock and place there.
        /// </summary>
        private void Emit(int leg, string code, DateTimeOffset at, SandboxPlace place, string? description = null)
        {
            if (_events.Count > 0 && at <= _now)
            {
                at = _now.AddMinutes(1 + _random.NextInt(30));
            }
            at = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var booked = _legs[leg];
            var local = place.Local(at);
            var text = description ?? EventMapping.Default.Find(booked.Carrier.Code, code)?.Description ?? code;
            _events.Add(new NetworkEvent(at, new EventInput(
                booked.Booked.TrackingNumber, booked.Carrier.Code, code, text,
                local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                new LocationInput(place.City, place.PostalCode, place.Country.Value))));
            _now = at;
            _at = place;
        }

        /// <summary>The instant, moved into working hours [<paramref name="from"/>, <paramref name="to"/>) of a weekday where it happens.</summary>
        private DateTimeOffset Working(DateTimeOffset instant, SandboxPlace place, int from, int to)
        {
            var local = place.Local(instant);
            var day = local.Date;
            if (local.Hour >= to)
            {
                day = day.AddDays(1);
            }
            var moved = local.Hour < from || local.Hour >= to;
            while (day.DayOfWeek == DayOfWeek.Sunday)
            {
                day = day.AddDays(1);
                moved = true;
            }
            if (!moved)
            {
                return instant;
            }
            var start = day.AddHours(from).AddMinutes(_random.NextInt(Math.Max(1, (to - from) * 30)));
            var offset = place.Zone.GetUtcOffset(NodaTime.Instant.FromDateTimeOffset(new DateTimeOffset(start, local.Offset))).ToTimeSpan();
            return new DateTimeOffset(start, offset).ToUniversalTime();
        }
    }
}
