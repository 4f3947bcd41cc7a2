using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Tracking;

/// <summary>
/// How the tenant's lanes performed over the last weeks, for the dashboard's lane charts. A lane here is a country to a
/// country (the forecasts' <see cref="Lane"/> without its service): from the country of the first scan to where the
/// shipment goes (<see cref="Journeys.DestinationOf"/>). Per lane and ISO week of delivery (UTC): the deliveries, their
/// transit days from the first scan to delivery (median and 90th percentile, as the forecasts compute quantiles), and the
/// share delivered by the promise (<see cref="DeliveryForecasts.Promise"/>, the one the <c>delayed</c> notice keeps: the
/// booked window's latest, else the lane's 90th percentile from the first milestone). Per carrier and lane: the share of
/// shipments with an exception on that carrier's leg (an event the seller is alerted to:
/// <see cref="NotificationKinds.IsSellerException"/>, as <see cref="JourneyFacts.ExceptionsBy"/> gathers them). The
/// shipments looked at are those with a scan in the period; they are read in a fixed handful of queries (the shipments
/// and their legs, then <see cref="Journeys.LoadAsync"/>), whatever their number.
/// </summary>
public static class GetLanePerformance
{
    /// <summary>The periods offered, in weeks.</summary>
    public static readonly IReadOnlyList<int> Periods = [4, 12, 26];

    public const int DefaultWeeks = 12;

    /// <param name="Weeks">How many ISO weeks, the current one included: 4, 12 or 26 (12 when empty).</param>
    /// <param name="Lane">One lane only, as <c>CN-DE</c> (all when empty).</param>
    public sealed record Request(string? Weeks, string? Lane);

    /// <summary>
    /// The figures of the period: <see cref="WeekList"/> names its weeks, oldest first, and every lane's
    /// <see cref="LaneSeries.Weeks"/> follows that order. <see cref="AllLanes"/> lists every lane of the period, whatever
    /// <see cref="Lane"/> chose.
    /// </summary>
    public sealed record Response(
        int Weeks,
        DateTimeOffset From,
        DateTimeOffset Until,
        string? Lane,
        IReadOnlyList<IsoWeek> WeekList,
        IReadOnlyList<string> AllLanes,
        IReadOnlyList<LaneSeries> Lanes,
        IReadOnlyList<CarrierExceptions> Exceptions)
    {
        public int Delivered => Lanes.Sum(l => l.Total.Delivered);
    }

    /// <summary>An ISO 8601 week: its year and number, and its Monday.</summary>
    public sealed record IsoWeek(int Year, int Number, DateOnly Monday);

    /// <summary>
    /// One lane's figures over the period (<see cref="Total"/>) and per week. <see cref="Shipments"/> counts its shipments
    /// with a scan in the period, delivered or not, and <see cref="WithException"/> those of them with an exception on any
    /// leg.
    /// </summary>
    public sealed record LaneSeries(string Lane, CountryCode Origin, CountryCode Destination, int Shipments, int WithException, Figures Total, IReadOnlyList<Figures> Weeks)
    {
        public double ExceptionRate => Shipments == 0 ? 0 : (double)WithException / Shipments;
    }

    /// <summary>
    /// Deliveries and their transit days (null without any); <see cref="Promised"/> of them had a promise, and
    /// <see cref="OnTime"/> came by it.
    /// </summary>
    public sealed record Figures(int Delivered, double? P50Days, double? P90Days, int Promised, int OnTime)
    {
        public static readonly Figures None = new(0, null, null, 0, 0);

        /// <summary>The share delivered by the promise, 0 to 1 (null when no delivery had a promise).</summary>
        public double? OnTimeRate => Promised == 0 ? null : (double)OnTime / Promised;
    }

    /// <summary>A carrier's shipments on a lane (those with one of its legs) and how many had an exception on its leg.</summary>
    public sealed record CarrierExceptions(string Carrier, string Lane, int Shipments, int WithException)
    {
        public double Rate => Shipments == 0 ? 0 : (double)WithException / Shipments;
    }

    /// <summary>The key of a lane of countries: <c>CN-DE</c>.</summary>
    public static string LaneKey(CountryCode origin, CountryCode destination) => $"{origin}-{destination}";

    public sealed class Handler(WaybillDb db, DeliveryForecasts forecasts, TimeProvider clock)
    {
        public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(request);
            var errors = new ValidationErrors();
            var weeks = DefaultWeeks;
            if (!string.IsNullOrWhiteSpace(request.Weeks)
                && (!int.TryParse(request.Weeks.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out weeks) || !Periods.Contains(weeks)))
            {
                errors.Add("weeks", $"'{request.Weeks}' is not a period: choose {string.Join(", ", Periods)} weeks.");
            }
            string? only = null;
            if (!string.IsNullOrWhiteSpace(request.Lane))
            {
                var parts = request.Lane.Trim().Split('-');
                if (parts.Length == 2 && CountryCode.TryCreate(parts[0], out var origin, out _) && CountryCode.TryCreate(parts[1], out var destination, out _))
                {
                    only = LaneKey(origin, destination);
                }
                else
                {
                    errors.Add("lane", $"'{request.Lane}' is not a lane: two ISO country codes joined by a dash, e.g. CN-DE.");
                }
            }
            if (!errors.IsEmpty)
            {
                return errors.ToError("tracking.lane_performance_invalid", "The period or the lane is not valid.");
            }

            var now = clock.UtcNow();
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var firstMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - (7 * (weeks - 1)));
            var from = new DateTimeOffset(firstMonday.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var weekList = Enumerable.Range(0, weeks).Select(i => firstMonday.AddDays(7 * i))
                .Select(m => new IsoWeek(ISOWeek.GetYear(m.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(m.ToDateTime(TimeOnly.MinValue)), m))
                .ToList();

            // A registered shipment's promise is the lane's learned 90th percentile: learn it first if this process has not.
            if (!forecasts.HasLearned(db.TenantId))
            {
                await forecasts.LearnAsync(db, ct);
            }
            var shipments = await db.Shipments.AsNoTracking()
                .Where(s => s.LastEventAt >= from)
                .Include(s => s.Legs).AsSplitQuery()
                .ToListAsync(ct);
            var journeys = await Journeys.LoadAsync(db, shipments, ct);

            var lanes = new Dictionary<string, Tally>(StringComparer.Ordinal);
            var carriers = new Dictionary<(string Carrier, string Lane), (int Shipments, int WithException)>();
            foreach (var shipment in shipments)
            {
                var facts = journeys.FactsOf(shipment);
                if (facts?.Origin is not { } origin || journeys.DestinationOf(shipment) is not { } destination)
                {
                    continue; // no lane to put it on yet: no scan, or nothing says where it goes
                }
                var key = LaneKey(origin, destination);
                if (!lanes.TryGetValue(key, out var tally))
                {
                    lanes[key] = tally = new Tally(origin, destination, weeks);
                }
                tally.Shipments++;
                tally.WithException += facts.ExceptionsBy.Count > 0 ? 1 : 0;
                if (facts.Reached.TryGetValue(Milestone.Delivered, out var deliveredAt) && deliveredAt >= from && deliveredAt <= now
                    && facts.FirstScanAt is { } firstScan)
                {
                    var week = (DateOnly.FromDateTime(deliveredAt.UtcDateTime).DayNumber - firstMonday.DayNumber) / 7;
                    var promise = forecasts.Promise(db.TenantId, shipment, facts, destination);
                    tally.Add(week, (deliveredAt - firstScan).TotalDays, promise is { } p ? deliveredAt <= p : null);
                }
                foreach (var carrier in shipment.Legs.Select(l => l.Carrier).Distinct(StringComparer.Ordinal))
                {
                    var (count, withException) = carriers.GetValueOrDefault((carrier, key));
                    carriers[(carrier, key)] = (count + 1, withException + (facts.ExceptionsBy.Contains(carrier) ? 1 : 0));
                }
            }

            var series = lanes
                .Where(l => only is null || l.Key == only)
                .Select(l => l.Value.ToSeries(l.Key))
                .OrderByDescending(l => l.Total.Delivered).ThenByDescending(l => l.Shipments).ThenBy(l => l.Lane, StringComparer.Ordinal)
                .ToList();
            var exceptions = carriers
                .Where(c => only is null || c.Key.Lane == only)
                .Select(c => new CarrierExceptions(c.Key.Carrier, c.Key.Lane, c.Value.Shipments, c.Value.WithException))
                .OrderBy(c => c.Lane, StringComparer.Ordinal).ThenBy(c => c.Carrier, StringComparer.Ordinal)
                .ToList();
            var all = lanes.Keys.Order(StringComparer.Ordinal).ToList();
            return new Response(weeks, from, now, only, weekList, all, series, exceptions);
        }
    }

    /// <summary>One lane's deliveries as they are counted: transit days and whether each came by its promise, per week.</summary>
    private sealed class Tally(CountryCode origin, CountryCode destination, int weeks)
    {
        private readonly List<(double Days, bool? OnTime)>[] _weeks = [.. Enumerable.Range(0, weeks).Select(_ => new List<(double, bool?)>())];

        public int Shipments { get; set; }

        public int WithException { get; set; }

        public void Add(int week, double days, bool? onTime) => _weeks[week].Add((days, onTime));

        public LaneSeries ToSeries(string key) =>
            new(key, origin, destination, Shipments, WithException, FiguresOf(_weeks.SelectMany(w => w)), [.. _weeks.Select(FiguresOf)]);

        private static Figures FiguresOf(IEnumerable<(double Days, bool? OnTime)> deliveries)
        {
            var list = deliveries.ToList();
            if (list.Count == 0)
            {
                return Figures.None;
            }
            var days = list.Select(d => d.Days).Order().ToList();
            return new Figures(list.Count, LaneHistory.Quantile(days, 0.5), LaneHistory.Quantile(days, 0.9),
                list.Count(d => d.OnTime is not null), list.Count(d => d.OnTime == true));
        }
    }
}
