using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Persistence;
using Waybill.Shipping.Sandbox;

namespace Waybill.Tracking;

/// <summary>
/// A lane as the forecasts learn it: from a country to a country by a service (the booked legs' services joined by
/// <c>+</c>, or the carriers of a registered shipment's legs).
/// </summary>
public readonly record struct Lane(CountryCode Origin, CountryCode Destination, string Service)
{
    public override string ToString() => $"{Origin}-{Destination} {Service}";
}

/// <summary>The expected time of one milestone still to come: the median (earliest) and the 90th percentile (latest).</summary>
public sealed record MilestoneForecast(string Milestone, DateTimeOffset Earliest, DateTimeOffset Latest);

/// <summary>
/// A shipment's forecast: the delivery window and each remaining milestone's. <see cref="Source"/> says where the
/// figures come from: <c>lane</c> (learned from the lane's delivered shipments, <see cref="Samples"/> of them),
/// <c>catalogue</c> (the services' published stage times, while the lane's history is thin), <c>booking</c> (the window
/// promised at booking) or <c>none</c>.
/// </summary>
public sealed record ShipmentForecast(DeliveryWindow? Delivery, IReadOnlyList<MilestoneForecast> Milestones, string Source, int Samples)
{
    public static readonly ShipmentForecast None = new(null, [], "none", 0);
}

/// <summary>What the events of one shipment say about its journey: where it started, when it first reached each milestone, its scans.</summary>
public sealed class JourneyFacts
{
    private readonly Dictionary<Milestone, DateTimeOffset> _reached = [];
    private readonly List<(DateTimeOffset At, Milestone? Milestone)> _scans = [];

    /// <summary>The country of the earliest scan (null before any).</summary>
    public CountryCode? Origin { get; private set; }

    /// <summary>Where it was delivered (null while it is not).</summary>
    public CountryCode? DeliveredIn { get; private set; }

    public IReadOnlyDictionary<Milestone, DateTimeOffset> Reached => _reached;

    private DateTimeOffset? _first;

    /// <summary>When the earliest scan was made (null before any): where a journey's transit time starts.</summary>
    public DateTimeOffset? FirstScanAt => _first;

    private (DateTimeOffset At, CountryCode Country)? _destinationScan;

    private HashSet<string>? _exceptionsBy;

    /// <summary>
    /// The carriers whose legs reported an exception the seller is alerted to
    /// (<see cref="Notifications.NotificationKinds.IsSellerException"/>): held by customs, a failed attempt, lost, ...
    /// </summary>
    public IReadOnlySet<string> ExceptionsBy => _exceptionsBy ?? (IReadOnlySet<string>)FrozenSet<string>.Empty;

    /// <summary>
    /// Where the parcel is going, as its scans tell it: where it was delivered, else the country of its first scan
    /// in the destination country (arrived there, at its customs or past them). Null while nothing tells it.
    /// </summary>
    public CountryCode? Destination => DeliveredIn ?? _destinationScan?.Country;

    internal void Add(Milestone? milestone, DateTimeOffset at, CountryCode country)
    {
        if (_first is null || at < _first)
        {
            _first = at;
            Origin = country;
        }
        if (milestone is { } m)
        {
            if (!_reached.TryGetValue(m, out var seen) || at < seen)
            {
                _reached[m] = at;
            }
            if (m == Milestone.Delivered)
            {
                DeliveredIn = country;
            }
            if (m is >= Milestone.ArrivedDestinationCountry and < Milestone.ReturnedToSender && (_destinationScan is null || at < _destinationScan.Value.At))
            {
                _destinationScan = (at, country);
            }
        }
        _scans.Add((at, milestone));
    }

    /// <summary>
    /// The gaps between consecutive scans, each with the stage (the highest milestone reached so far) it was spent at.
    /// </summary>
    internal IEnumerable<(Milestone Stage, double Hours)> Gaps()
    {
        _scans.Sort((a, b) => a.At.CompareTo(b.At));
        Milestone? stage = null;
        for (var i = 0; i < _scans.Count; i++)
        {
            if (_scans[i].Milestone is { } m && (stage is null || m > stage))
            {
                stage = m;
            }
            if (i + 1 < _scans.Count && stage is { } s)
            {
                yield return (s, (_scans[i + 1].At - _scans[i].At).TotalHours);
            }
        }
    }

    /// <summary>Loads the facts of the given shipments (all of the tenant's when null) from their mapped events.</summary>
    public static async Task<Dictionary<Guid, JourneyFacts>> LoadAsync(WaybillDb db, IReadOnlyCollection<Guid>? shipments, CancellationToken ct)
    {
        var query = db.TrackingEvents.AsNoTracking().Where(e => e.ShipmentId != null && e.Status != null);
        if (shipments is not null)
        {
            // Found by the legs' keys: the events table's one index.
            // Lists as one array parameter: thousands of ids as as many SQL parameters take SQLite ten times longer.
            var legs = await db.ShipmentLegs.AsNoTracking().Where(l => EF.Parameter(shipments).Contains(l.ShipmentId)).Select(l => new { l.Carrier, l.TrackingNumber }).ToListAsync(ct);
            var keys = legs.Select(l => TrackingKeys.LegKeyOf(db.TenantId, l.Carrier, l.TrackingNumber)).ToArray();
            query = query.Where(e => EF.Parameter(keys).Contains(e.LegKey));
        }
        // The carrier is read only for the events that can be exceptions (a few in a hundred); IsSellerException decides.
        var rows = await query.Select(e => new
        {
            e.ShipmentId,
            e.Milestone,
            e.OccurredAt,
            e.Country,
            e.Status,
            e.ExceptionReason,
            Carrier = e.ExceptionReason != null || e.Status == TrackingStatus.Exception || e.Status == TrackingStatus.FailedAttempt || e.Milestone == Milestone.ReturnedToSender
                ? e.Carrier : null,
        }).ToListAsync(ct);
        var facts = new Dictionary<Guid, JourneyFacts>();
        foreach (var row in rows)
        {
            if (!facts.TryGetValue(row.ShipmentId!.Value, out var f))
            {
                facts[row.ShipmentId.Value] = f = new JourneyFacts();
            }
            f.Add(row.Milestone, row.OccurredAt, row.Country);
            if (row.Carrier is { } carrier && Notifications.NotificationKinds.IsSellerException(row.Status, row.Milestone, row.ExceptionReason))
            {
                (f._exceptionsBy ??= new HashSet<string>(StringComparer.Ordinal)).Add(carrier);
            }
        }
        return facts;
    }
}

/// <summary>
/// What forecasts need of some shipments, loaded together: their journey facts and their orders' ship-to countries.
/// </summary>
public sealed class Journeys
{
    private readonly Dictionary<Guid, JourneyFacts> _facts;
    private readonly Dictionary<Guid, CountryCode> _shipTo;

    private Journeys(Dictionary<Guid, JourneyFacts> facts, Dictionary<Guid, CountryCode> shipTo)
    {
        _facts = facts;
        _shipTo = shipTo;
    }

    public static async Task<Journeys> LoadAsync(WaybillDb db, IReadOnlyList<Shipment> shipments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (shipments.Count == 0)
        {
            return new Journeys([], []);
        }
        var facts = await JourneyFacts.LoadAsync(db, shipments.Select(s => s.Id).ToList(), ct);
        var orderIds = shipments.Where(s => s.OrderId is not null).Select(s => s.OrderId!.Value).ToList();
        var shipTo = orderIds.Count == 0 ? []
            : await db.Orders.AsNoTracking().Where(o => EF.Parameter(orderIds).Contains(o.Id)).Select(o => new { o.Id, o.ShipToCountry }).ToDictionaryAsync(o => o.Id, o => o.ShipToCountry, ct);
        return new Journeys(facts, shipTo);
    }

    public JourneyFacts? FactsOf(Shipment shipment) => _facts.GetValueOrDefault(shipment.Id);

    /// <summary>Where the shipment goes: its order's ship-to country, else what its scans tell (<see cref="JourneyFacts.Destination"/>).</summary>
    public CountryCode? DestinationOf(Shipment shipment) =>
        shipment.OrderId is { } o && _shipTo.TryGetValue(o, out var country) ? country : FactsOf(shipment)?.Destination;
}

/// <summary>
/// Expected delivery, learned per lane. From the delivered shipments of each lane (origin, destination, service) it
/// learns, for every milestone a parcel can be at, how long it took from there to import customs, to the delivery office
/// and to delivery (median and 90th percentile), and the gaps between scans at each stage (95th percentile). A
/// shipment's forecast starts from when it reached its current milestone, conditioned on the time already spent there;
/// while a lane has fewer than <see cref="MinSamples"/> deliveries, the catalogue's stage times stand in, then the
/// window promised at booking. One per process: <see cref="LearnAsync"/> refreshes a tenant's lanes (the forecast
/// worker does it every few minutes); reads use the last learned.
/// </summary>
public sealed class DeliveryForecasts(SandboxCatalogue catalogue)
{
    /// <summary>The deliveries a lane needs before its own history replaces the catalogue's figures.</summary>
    public const int MinSamples = 20;

    /// <summary>The milestones a forecast is made for, in order.</summary>
    public static readonly IReadOnlyList<Milestone> Targets = [Milestone.AtImportCustoms, Milestone.AtDeliveryOffice, Milestone.Delivered];

    /// <summary>When no stage history is known, a parcel is stalled after this long without a scan.</summary>
    public static readonly TimeSpan DefaultStallAfter = TimeSpan.FromHours(96);

    private readonly ConcurrentDictionary<Guid, IReadOnlyDictionary<Lane, LaneHistory>> _lanes = new();

    public static DeliveryForecasts Default { get; } = new(SandboxCatalogue.Default);

    /// <summary>Relearns the lanes of the context's tenant from its delivered shipments; answers how many it learned from.</summary>
    public async Task<int> LearnAsync(WaybillDb db, CancellationToken ct)
    {
        var delivered = await db.Shipments.AsNoTracking()
            .Where(s => s.Milestone == Milestone.Delivered)
            .Select(s => new { s.Id, s.OrderId })
            .ToListAsync(ct);
        var lanes = new Dictionary<Lane, LaneHistory>();
        if (delivered.Count > 0)
        {
            var facts = await JourneyFacts.LoadAsync(db, null, ct);
            var services = await ServicesAsync(db, delivered.Select(d => d.Id).ToList(), ct);
            foreach (var d in delivered)
            {
                if (facts.TryGetValue(d.Id, out var f) && f.Origin is { } origin && f.DeliveredIn is { } destination && services.TryGetValue(d.Id, out var service))
                {
                    var lane = new Lane(origin, destination, service);
                    if (!lanes.TryGetValue(lane, out var history))
                    {
                        lanes[lane] = history = new LaneHistory();
                    }
                    history.Learn(f);
                }
            }
            foreach (var history in lanes.Values)
            {
                history.Seal();
            }
        }
        _lanes[db.TenantId] = lanes;
        return lanes.Values.Sum(h => h.Deliveries);
    }

    /// <summary>True once the tenant's lanes were learned in this process (by <see cref="LearnAsync"/>).</summary>
    public bool HasLearned(Guid tenantId) => _lanes.ContainsKey(tenantId);

    /// <summary>The learned figures of a lane (null when the tenant has no delivery on it).</summary>
    public LaneHistory? HistoryOf(Guid tenantId, Lane lane) =>
        _lanes.TryGetValue(tenantId, out var lanes) ? lanes.GetValueOrDefault(lane) : null;

    /// <summary>The forecasts of the given shipments (loaded with their legs), from their events and orders.</summary>
    public async Task<Dictionary<Guid, ShipmentForecast>> ForecastAsync(WaybillDb db, IReadOnlyList<Shipment> shipments, DateTimeOffset now, CancellationToken ct)
    {
        var journeys = await Journeys.LoadAsync(db, shipments, ct);
        return shipments.ToDictionary(s => s.Id, s => Forecast(db.TenantId, s, journeys.FactsOf(s), journeys.DestinationOf(s), now));
    }

    /// <summary>One shipment's forecast, from its journey so far.</summary>
    public ShipmentForecast Forecast(Guid tenantId, Shipment shipment, JourneyFacts? facts, CountryCode? destination, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        var booked = shipment.ExpectedEarliest is { } be && shipment.ExpectedLatest is { } bl ? new DeliveryWindow(be, bl) : null;
        if (shipment.Milestone is Milestone.Delivered or Milestone.ReturnedToSender || facts?.Origin is not { } origin || shipment.Milestone is not { } current)
        {
            // Delivered or returned: nothing left to expect; before any scan: the promise made at booking.
            return booked is null ? ShipmentForecast.None : new ShipmentForecast(booked, [], "booking", 0);
        }
        var from = facts.Reached.TryGetValue(current, out var at) ? at : shipment.LastEventAt ?? now;
        var legs = shipment.Legs.OrderBy(l => l.Sequence).ToList();
        var history = destination is { } dest ? HistoryOf(tenantId, new Lane(origin, dest, ServiceKey(legs))) : null;
        var milestones = new List<MilestoneForecast>();
        var source = "lane";
        if (history is not null && history.Deliveries >= MinSamples)
        {
            foreach (var target in Targets.Where(t => t > current))
            {
                if (history.Conditional(current, target, (now - from).TotalHours) is { } q)
                {
                    milestones.Add(new MilestoneForecast(TrackingNames.Of(target), from.AddHours(q.P50), from.AddHours(q.P90)));
                }
            }
        }
        if (!milestones.Any(m => m.Milestone == TrackingNames.Of(Milestone.Delivered)) && destination is { } d && CatalogueStages(legs, origin, d) is { Count: > 0 } stages)
        {
            source = "catalogue";
            milestones.Clear();
            foreach (var target in Targets.Where(t => t > current))
            {
                if (target == Milestone.AtImportCustoms && !stages.ContainsKey(TransitStage.ImportCustoms))
                {
                    continue; // a lane without import customs (within a customs union) has no customs to expect
                }
                var p50 = Hours(stages, Position(current), Position(target), s => s.P50Hours);
                var p90 = Hours(stages, Position(current), Position(target), s => s.P90Hours);
                var (earliest, latest) = (from.AddHours(p50), from.AddHours(p90));
                if (latest < now)
                {
                    // Past the catalogue's figures: expected from now on, as long again as the spread.
                    (earliest, latest) = (now, now.AddHours(Math.Max(1, p90 - p50)));
                }
                if (milestones.Count > 0 && milestones[^1] is var before && (earliest < before.Earliest || latest < before.Latest))
                {
                    // Each window reset to now on its own may come before the one of an earlier milestone: keep them in order.
                    (earliest, latest) = (Max(earliest, before.Earliest), Max(latest, before.Latest));
                }
                milestones.Add(new MilestoneForecast(TrackingNames.Of(target), earliest, latest));
            }
        }
        var delivered = milestones.FirstOrDefault(m => m.Milestone == TrackingNames.Of(Milestone.Delivered));
        if (delivered is null)
        {
            return booked is null ? ShipmentForecast.None : new ShipmentForecast(booked, milestones, "booking", 0);
        }
        return new ShipmentForecast(new DeliveryWindow(delivered.Earliest, delivered.Latest), milestones, source, source == "lane" ? history!.Deliveries : 0);
    }

    /// <summary>
    /// The latest delivery a shipment was expected by from the start: the window promised at booking; for a shipment
    /// registered, not booked, the lane's (else the catalogue's) 90th percentile from the first milestone it reached.
    /// Null when there is nothing to go by. A <c>delayed</c> notice is due when it has passed.
    /// </summary>
    public DateTimeOffset? Promise(Guid tenantId, Shipment shipment, JourneyFacts? facts, CountryCode? destination)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        if (shipment.ExpectedLatest is { } booked)
        {
            return booked;
        }
        if (facts?.Origin is not { } origin || destination is not { } dest || facts.Reached.Count == 0)
        {
            return null;
        }
        var (first, at) = facts.Reached.MinBy(r => (r.Value, r.Key));
        var legs = shipment.Legs.OrderBy(l => l.Sequence).ToList();
        if (HistoryOf(tenantId, new Lane(origin, dest, ServiceKey(legs)))?.Quantiles(first, Milestone.Delivered) is { } q && q.Samples >= MinSamples)
        {
            return at.AddHours(q.P90);
        }
        return CatalogueStages(legs, origin, dest) is { Count: > 0 } stages ? at.AddHours(Hours(stages, Position(first), 5, s => s.P90Hours)) : null;
    }

    /// <summary>
    /// How long without a scan at this stage is longer than usual on the lane: its 95th-percentile gap; while the lane's
    /// history is thin, one and a half times the catalogue's 90th percentile of the stage the parcel is in (a sea line
    /// haul goes weeks without a scan), and at least <see cref="DefaultStallAfter"/>.
    /// </summary>
    public TimeSpan StallAfter(Guid tenantId, Lane? lane, Milestone stage, IEnumerable<ShipmentLeg> legs)
    {
        var history = lane is { } l ? HistoryOf(tenantId, l) : null;
        if (history?.Gap95(stage) is { } hours && history.Deliveries >= MinSamples)
        {
            return TimeSpan.FromHours(Math.Max(hours, 1));
        }
        if (lane is { } known && CatalogueStages([.. legs], known.Origin, known.Destination) is { Count: > 0 } stages)
        {
            var position = Position(stage);
            var current = stages.Where(s => (int)s.Key <= position && position < (int)s.Key + 1).Select(s => s.Value.P90Hours).DefaultIfEmpty(0).Max();
            return TimeSpan.FromHours(Math.Max(DefaultStallAfter.TotalHours, 1.5 * current));
        }
        return DefaultStallAfter;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The lane's service key: the booked services of the legs in order, else their carriers.</summary>
    public static string ServiceKey(IEnumerable<ShipmentLeg> legs) =>
        string.Join('+', legs.OrderBy(l => l.Sequence).Select(l => l.Service ?? l.Carrier));

    private static async Task<Dictionary<Guid, string>> ServicesAsync(WaybillDb db, List<Guid> shipments, CancellationToken ct)
    {
        var legs = await db.ShipmentLegs.AsNoTracking().Where(l => shipments.Contains(l.ShipmentId)).ToListAsync(ct);
        return legs.GroupBy(l => l.ShipmentId).ToDictionary(g => g.Key, g => ServiceKey(g));
    }

    /// <summary>The stage times of the legs' services on this lane (the first leg that has a stage gives it).</summary>
    private Dictionary<TransitStage, StageTransit> CatalogueStages(List<ShipmentLeg> legs, CountryCode origin, CountryCode destination)
    {
        var stages = new Dictionary<TransitStage, StageTransit>();
        foreach (var leg in legs)
        {
            if (leg.Service is { } id && catalogue.FindService(id) is { } service && catalogue.LaneOf(service, origin, destination, out _) is { } lane)
            {
                foreach (var (stage, transit) in lane.Transit.Stages)
                {
                    stages.TryAdd(stage, transit);
                }
            }
        }
        return stages;
    }

    /// <summary>
    /// Where a milestone stands on the stages, in stage units: stage i runs from i to i + 1 (first mile 0, export customs
    /// 1, line haul 2, import customs 3, last mile 4); the delivery office is taken to be 60% into the last mile.
    /// </summary>
    internal static double Position(Milestone milestone) => milestone switch
    {
        Milestone.Posted => 0,
        Milestone.DepartedOriginHub => 0.5,
        Milestone.ExportCustoms => 1,
        Milestone.DepartedOriginCountry => 2,
        Milestone.ArrivedDestinationCountry => 2.9,
        Milestone.AtImportCustoms or Milestone.CustomsHeld => 3,
        Milestone.CustomsCleared => 4,
        Milestone.AtDeliveryOffice => 4.6,
        Milestone.OutForDelivery or Milestone.DeliveryAttempted or Milestone.AvailableForPickup => 4.9,
        _ => 5,
    };

    /// <summary>The hours from one position to another: each stage's duration times the share of it in between.</summary>
    internal static double Hours(IReadOnlyDictionary<TransitStage, StageTransit> stages, double from, double to, Func<StageTransit, double> hours)
    {
        var total = 0.0;
        foreach (var (stage, transit) in stages)
        {
            var start = (double)(int)stage;
            var overlap = Math.Min(to, start + 1) - Math.Max(from, start);
            if (overlap > 0)
            {
                total += overlap * hours(transit);
            }
        }
        return total;
    }
}

/// <summary>
/// One lane's learned figures: the hours from each milestone to each forecast target, and the gaps between scans at each
/// stage, over its delivered shipments.
/// </summary>
public sealed class LaneHistory
{
    private readonly Dictionary<(Milestone From, Milestone To), List<double>> _durations = [];
    private readonly Dictionary<Milestone, List<double>> _gaps = [];

    public int Deliveries { get; private set; }

    internal void Learn(JourneyFacts facts)
    {
        Deliveries++;
        foreach (var (from, fromAt) in facts.Reached)
        {
            foreach (var to in DeliveryForecasts.Targets)
            {
                if (to > from && facts.Reached.TryGetValue(to, out var toAt) && toAt >= fromAt)
                {
                    Add(_durations, (from, to), (toAt - fromAt).TotalHours);
                }
            }
        }
        foreach (var (stage, hours) in facts.Gaps())
        {
            Add(_gaps, stage, hours);
        }
    }

    internal void Seal()
    {
        foreach (var list in _durations.Values)
        {
            list.Sort();
        }
        foreach (var list in _gaps.Values)
        {
            list.Sort();
        }
    }

    /// <summary>The median and 90th percentile of the hours from one milestone to another (null when never seen).</summary>
    public (double P50, double P90, int Samples)? Quantiles(Milestone from, Milestone to) =>
        _durations.TryGetValue((from, to), out var list) && list.Count > 0 ? (Quantile(list, 0.5), Quantile(list, 0.9), list.Count) : null;

    /// <summary>
    /// The median and 90th percentile of the hours from one milestone to another (null with fewer than
    /// <see cref="DeliveryForecasts.MinSamples"/> journeys between them) given that <paramref name="elapsedHours"/>
    /// have passed without reaching it: of the journeys that took longer than that. When none did, from now on, as long
    /// again as the lane's spread.
    /// </summary>
    internal (double P50, double P90)? Conditional(Milestone from, Milestone to, double elapsedHours)
    {
        if (!_durations.TryGetValue((from, to), out var list) || list.Count < DeliveryForecasts.MinSamples)
        {
            return null; // too few journeys from this milestone to that one: the catalogue's figures stand in
        }
        var longer = list.FindIndex(d => d > elapsedHours);
        longer = longer < 0 ? list.Count : longer;
        if (list.Count - longer >= 3)
        {
            var tail = list.GetRange(longer, list.Count - longer);
            return (Quantile(tail, 0.5), Quantile(tail, 0.9));
        }
        var spread = Math.Max(1, Quantile(list, 0.9) - Quantile(list, 0.5));
        return (Math.Max(elapsedHours, 0), Math.Max(elapsedHours, 0) + spread);
    }

    /// <summary>The 95th percentile of the gaps between scans at a stage (null when never seen).</summary>
    public double? Gap95(Milestone stage) => _gaps.TryGetValue(stage, out var list) && list.Count >= DeliveryForecasts.MinSamples ? Quantile(list, 0.95) : null;

    private static void Add<TKey>(Dictionary<TKey, List<double>> lists, TKey key, double value)
        where TKey : notnull
    {
        if (!lists.TryGetValue(key, out var list))
        {
            lists[key] = list = [];
        }
        list.Add(value);
    }

    /// <summary>The q-quantile of a sorted list, interpolated between ranks (type 7, as R and NumPy do by default).</summary>
    internal static double Quantile(List<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
