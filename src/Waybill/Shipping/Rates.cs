using System.Globalization;
using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Shipping.Sandbox;

namespace Waybill.Shipping;

/// <summary>
/// The rates engine: every feasible route of the sandbox network for a shipment, priced in the request's currency
/// with p50/p90 transit, and every service considered but not usable with a stable reason code
/// (<c>docs/rates.md</c>). Synchronous and in memory; no HTTP, no database.
/// </summary>
public static class Rates
{
    /// <summary>The role of a leg carried by one service from the origin to the buyer.</summary>
    public const string EndToEnd = "end_to_end";

    public const string FirstMile = "first_mile";

    public const string LineHaul = "line_haul";

    public const string LastMile = "last_mile";

    /// <summary>How many journeys the transit estimate draws per route; with <see cref="TransitSeed"/> the answer is reproducible.</summary>
    public const int TransitDraws = 20_000;

    public const ulong TransitSeed = 20_260_220;

    /// <summary>Codes of <see cref="LeftOut.Code"/>.</summary>
    public static class Codes
    {
        public const string LaneNotServed = "lane_not_served";
        public const string Embargo = "embargo";
        public const string Restriction = "restriction";
        public const string Limit = "limit";
        public const string Currency = "currency";

        /// <summary>A usable first-mile, line-haul or last-mile service that no complete consolidated route connects.</summary>
        public const string NoConnection = "no_connection";
    }

    /// <summary>Answers every feasible route, cheapest first (then shortest p90), and why each other service is left out.</summary>
    /// <exception cref="ArgumentException">No parcel, or a parcel without a positive weight and size: the caller validates first.</exception>
    public static RateResult Quote(RateRequest request, SandboxCatalogue catalogue, ExchangeRates rates)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(rates);
        if (request.Parcels.Count == 0)
        {
            throw new ArgumentException("A rate request needs at least one parcel.", nameof(request));
        }
        if (request.Parcels.Any(p => p.WeightKg <= 0 || p.LengthCm <= 0 || p.WidthCm <= 0 || p.HeightCm <= 0))
        {
            throw new ArgumentException("Every parcel needs a positive weight, length, width and height.", nameof(request));
        }

        var routes = new List<Route>();
        var leftOut = new List<LeftOut>();
        var from = catalogue.ServicesFrom(request.From);

        foreach (var service in from.Where(s => s.Kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel or SandboxServiceKind.Express))
        {
            if (Rate(service, EndToEnd, request.From, request.To, request, catalogue, rates, leftOut) is { } leg)
            {
                routes.Add(RouteOf(service.Id, [leg]));
            }
        }

        // Consolidated: origin's domestic carrier to the hub, line-haul to the destination's region, destination's domestic carrier.
        var firstMiles = RateAll(catalogue.LastMileIn(request.From), FirstMile, request.From, request.From, request, catalogue, rates, leftOut);
        var lineHauls = RateAll(
            from.Where(s => s.Kind is SandboxServiceKind.LineHaulAir or SandboxServiceKind.LineHaulSea), LineHaul, request.From, request.To,
            request, catalogue, rates, leftOut);
        var lastMiles = request.To == request.From
            ? firstMiles.Select(r => r with { Leg = r.Leg with { Role = LastMile } }).ToList()
            : RateAll(catalogue.LastMileIn(request.To), LastMile, request.From, request.To, request, catalogue, rates, leftOut);
        foreach (var first in firstMiles)
        {
            foreach (var haul in lineHauls)
            {
                foreach (var last in lastMiles)
                {
                    routes.Add(RouteOf($"{first.Leg.ServiceId}+{haul.Leg.ServiceId}+{last.Leg.ServiceId}", [first, haul, last]));
                }
            }
        }
        if (firstMiles.Count == 0 || lineHauls.Count == 0 || lastMiles.Count == 0)
        {
            var missing = string.Join(" and ", new[] { (firstMiles, FirstMile), (lineHauls, LineHaul), (lastMiles, LastMile) }
                .Where(p => p.Item1.Count == 0).Select(p => p.Item2.Replace('_', '-')));
            foreach (var unused in firstMiles.Concat(lineHauls).Concat(request.To == request.From ? [] : lastMiles))
            {
                leftOut.Add(new LeftOut(
                    unused.Leg.ServiceId, Codes.NoConnection,
                    $"{unused.Leg.ServiceId} could carry the {unused.Leg.Role.Replace('_', ' ')}, but no usable {missing} service completes a route from {request.From} to {request.To}."));
            }
        }

        return new RateResult(
            [.. routes.OrderBy(r => r.Total.Amount).ThenBy(r => r.TransitDaysP90).ThenBy(r => r.Id, StringComparer.Ordinal)],
            leftOut);
    }

    /// <summary>The chargeable weight of one parcel on a service: max(actual, volumetric) rounded by the service's rule.</summary>
    public static decimal ChargeableWeightOf(Parcel parcel, SandboxService service)
    {
        ArgumentNullException.ThrowIfNull(parcel);
        ArgumentNullException.ThrowIfNull(service);
        var kg = parcel.WeightKg;
        if (service.VolumetricDivisor is { } divisor)
        {
            kg = Math.Max(kg, parcel.LengthCm * parcel.WidthCm * parcel.HeightCm / divisor);
        }
        return service.ChargeableWeight.Round(kg);
    }

    private sealed record RatedLeg(RouteLeg Leg, SandboxLane Lane);

    private static List<RatedLeg> RateAll(
        IEnumerable<SandboxService> services, string role, CountryCode origin, CountryCode destination, RateRequest request,
        SandboxCatalogue catalogue, ExchangeRates rates, List<LeftOut> leftOut)
    {
        var legs = new List<RatedLeg>();
        foreach (var service in services)
        {
            if (Rate(service, role, origin, destination, request, catalogue, rates, leftOut) is { } leg)
            {
                legs.Add(leg);
            }
        }
        return legs;
    }

    /// <summary>One service's leg, or null with the reason added to <paramref name="leftOut"/>. Checks run in the order of the codes' precedence.</summary>
    private static RatedLeg? Rate(
        SandboxService service, string role, CountryCode origin, CountryCode destination, RateRequest request,
        SandboxCatalogue catalogue, ExchangeRates rates, List<LeftOut> leftOut)
    {
        RatedLeg? Out(string code, string reason)
        {
            leftOut.Add(new LeftOut(service.Id, code, reason));
            return null;
        }

        // The buyer's country decides an embargo, whichever leg the service would carry.
        if (catalogue.EmbargoOn(request.To) is { } embargo)
        {
            return Out(Codes.Embargo, $"{request.To}: {embargo}");
        }
        if (catalogue.LaneOf(service, origin, destination, out var why) is not { } lane)
        {
            return Out(Codes.LaneNotServed, why ?? $"{service.Id} does not serve {origin} to {destination}.");
        }
        // A value the service does not list as accepted is refused: never carry goods nobody decided on.
        var refused = request.DangerousGoods.Where(g => !service.Restrictions.Accepts(g)).Distinct(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
        {
            return Out(Codes.Restriction, $"{service.Id} refuses {string.Join(", ", refused)}.");
        }
        if (LimitBroken(service.Limits, request.Parcels) is { } limit)
        {
            return Out(Codes.Limit, $"{service.Id}: {limit}");
        }
        if (!rates.TryConvert(request.DeclaredValue, service.Currency, request.Date, out var declared, out var fx))
        {
            return Out(Codes.Currency, $"{service.Id}: cannot compare the declared value with its limit in {service.Currency}: {fx}");
        }
        // The whole declared value counts against the per-parcel limit: how it splits between parcels is not known.
        if (declared.Amount > service.Limits.MaxDeclaredValue.Amount)
        {
            return Out(Codes.Limit, $"{service.Id}: declared value {request.DeclaredValue} ({Round(declared)}) is above its limit of {service.Limits.MaxDeclaredValue}.");
        }

        var chargeable = 0m;
        var price = new Money(0m, service.Currency);
        foreach (var parcel in request.Parcels)
        {
            var kg = ChargeableWeightOf(parcel, service);
            chargeable += kg;
            price += lane.PriceOf(kg);
        }
        if (!rates.TryConvert(price, request.Currency, request.Date, out var converted, out fx))
        {
            return Out(Codes.Currency, $"{service.Id}: cannot convert its price from {service.Currency} to {request.Currency}: {fx}");
        }
        var carrier = catalogue.CarrierOf(service);
        return new RatedLeg(new RouteLeg(role, service.Id, carrier.Code, chargeable, price, Round(converted)), lane);
    }

    private static string? LimitBroken(ServiceLimits limits, IReadOnlyList<Parcel> parcels)
    {
        for (var i = 0; i < parcels.Count; i++)
        {
            var p = parcels[i];
            var which = parcels.Count == 1 ? "the parcel" : $"parcel {i + 1}";
            decimal[] sides = [p.LengthCm, p.WidthCm, p.HeightCm];
            Array.Sort(sides);
            var length = sides[2];
            if (p.WeightKg > limits.MaxWeightKg)
            {
                return $"weight: {which} weighs {Text(p.WeightKg)} kg, above the limit of {Text(limits.MaxWeightKg)} kg.";
            }
            if (limits.MaxLengthCm is { } maxLength && length > maxLength)
            {
                return $"length: the longest side of {which} is {Text(length)} cm, above the limit of {Text(maxLength)} cm.";
            }
            var girth = length + (2 * (sides[0] + sides[1]));
            if (limits.MaxLengthPlusGirthCm is { } maxGirth && girth > maxGirth)
            {
                return $"length plus girth: {which} measures {Text(girth)} cm, above the limit of {Text(maxGirth)} cm.";
            }
            var sum = sides[0] + sides[1] + sides[2];
            if (limits.MaxSumOfSidesCm is { } maxSum && sum > maxSum)
            {
                return $"sum of sides: {which} measures {Text(sum)} cm, above the limit of {Text(maxSum)} cm.";
            }
        }
        return null;
    }

    /// <summary>
    /// The stages a leg of <paramref name="role"/> carries, in order, with their transit: end to end, every stage of its
    /// lane; a first mile (a domestic carrier to the hub) its lane's first mile; a line-haul export customs, the flight
    /// or voyage and import customs; a last mile its lane's last mile. A lane without a stage (no customs inside the EU)
    /// skips it. The sandbox network moves parcels by the same stages (<see cref="Sandbox.SandboxNetwork"/>).
    /// </summary>
    public static IEnumerable<(TransitStage Stage, StageTransit Transit)> StagesOf(string role, TransitProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        TransitStage[] stages = role switch
        {
            FirstMile => [TransitStage.FirstMile],
            LineHaul => [TransitStage.ExportCustoms, TransitStage.LineHaul, TransitStage.ImportCustoms],
            LastMile => [TransitStage.LastMile],
            _ => [TransitStage.FirstMile, TransitStage.ExportCustoms, TransitStage.LineHaul, TransitStage.ImportCustoms, TransitStage.LastMile],
        };
        foreach (var stage in stages)
        {
            if (profile.Stages.TryGetValue(stage, out var transit))
            {
                yield return (stage, transit);
            }
        }
    }

    private static Route RouteOf(string id, IReadOnlyList<RatedLeg> legs)
    {
        var total = legs.Select(l => l.Leg.PriceInRequestCurrency).Aggregate((a, b) => a + b);
        var (p50, p90) = TransitDays([.. legs.SelectMany(l => StagesOf(l.Leg.Role, l.Lane.Transit)).Select(s => s.Transit)]);
        return new Route(id, [.. legs.Select(l => l.Leg)], total, p50, p90, legs.Sum(l => l.Lane.PromiseDays));
    }

    /// <summary>
    /// p50 and p90 of the sum of the stages, in days to one decimal: <see cref="TransitDraws"/> journeys, each stage drawn
    /// from its lognormal, with a fixed-seed generator of our own so the answer never changes with the runtime.
    /// </summary>
    private static (double P50, double P90) TransitDays(IReadOnlyList<StageTransit> stages)
    {
        // A pure function of the stages (the seed is fixed), and the catalogue has few combinations of them: each is
        // simulated once per process. Bounded all the same, in case a catalogue is replaced while running.
        var key = string.Join(';', stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.P50Hours}/{s.P90Hours}")));
        if (TransitCache.TryGetValue(key, out var known))
        {
            return known;
        }
        if (TransitCache.Count > 10_000)
        {
            TransitCache.Clear();
        }
        return TransitCache[key] = Simulate(stages);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (double P50, double P90)> TransitCache = new(StringComparer.Ordinal);

    private static (double P50, double P90) Simulate(IReadOnlyList<StageTransit> stages)
    {
        var random = new SplitMix64(TransitSeed);
        var journeys = new double[TransitDraws];
        for (var i = 0; i < journeys.Length; i++)
        {
            var hours = 0.0;
            foreach (var stage in stages)
            {
                hours += Math.Exp(stage.Mu + (stage.Sigma * random.NextStandardNormal()));
            }
            journeys[i] = hours / 24;
        }
        Array.Sort(journeys);
        // Nearest rank: the smallest draw with at least p of the draws at or below it.
        double Percentile(double p) => Math.Round(journeys[(int)Math.Ceiling(p * journeys.Length) - 1], 1, MidpointRounding.AwayFromZero);
        return (Percentile(0.5), Percentile(0.9));
    }

    /// <summary>Half away from zero, to the currency's minor unit.</summary>
    private static Money Round(Money money) =>
        new(decimal.Round(money.Amount, money.Currency.MinorUnits, MidpointRounding.AwayFromZero), money.Currency);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A shipment to rate: its parcels, dangerous goods (values of <c>DangerousGoods.Values</c>), declared value, quote currency and date.</summary>
public sealed record RateRequest(
    CountryCode From, CountryCode To, IReadOnlyList<Parcel> Parcels, IReadOnlyList<string> DangerousGoods, Money DeclaredValue, Currency Currency, DateOnly Date);

/// <summary>The feasible routes, cheapest first, and every service considered but not usable.</summary>
public sealed record RateResult(IReadOnlyList<Route> Routes, IReadOnlyList<LeftOut> LeftOut);

/// <summary>
/// One way to ship: its legs, the total in the request currency (the sum of the legs' rounded converted prices), the
/// p50/p90 door-to-door transit in days and the promise (a direct lane's, or the sum of the legs' promises).
/// </summary>
public sealed record Route(string Id, IReadOnlyList<RouteLeg> Legs, Money Total, double TransitDaysP50, double TransitDaysP90, int PromiseDays);

/// <summary>One leg: <c>end_to_end</c>, <c>first_mile</c>, <c>line_haul</c> or <c>last_mile</c>; its price in the service's currency and in the request's.</summary>
public sealed record RouteLeg(string Role, string ServiceId, string Carrier, decimal ChargeableWeightKg, Money Price, Money PriceInRequestCurrency);

/// <summary>A service that cannot carry the shipment, with a stable code (<see cref="Rates.Codes"/>) and the reason.</summary>
public sealed record LeftOut(string ServiceId, string Code, string Reason);
