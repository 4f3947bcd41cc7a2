using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Common;
using Waybill.Orders;

namespace Waybill.Shipping.Sandbox;

/// <summary>What a sandbox carrier is: wire names <c>postal</c>, <c>express</c>, <c>line_haul</c>, <c>last_mile</c>.</summary>
public enum SandboxCarrierKind
{
    Postal,
    Express,
    LineHaul,
    LastMile,
}

/// <summary>
/// What a sandbox service is: wire names <c>postal_small_packet</c>, <c>postal_parcel</c>, <c>express</c>,
/// <c>line_haul_air</c>, <c>line_haul_sea</c>, <c>last_mile</c>.
/// </summary>
public enum SandboxServiceKind
{
    PostalSmallPacket,
    PostalParcel,
    Express,
    LineHaulAir,
    LineHaulSea,
    LastMile,
}

/// <summary>
/// The stages a parcel passes, in order: wire names <c>first_mile</c>, <c>export_customs</c>, <c>line_haul</c>,
/// <c>import_customs</c>, <c>last_mile</c>.
/// </summary>
public enum TransitStage
{
    FirstMile,
    ExportCustoms,
    LineHaul,
    ImportCustoms,
    LastMile,
}

/// <summary>How a carrier's tracking numbers are built: UPU S10 (postal carriers) or the sandbox's own format.</summary>
public enum NumberScheme
{
    S10,
    Sandbox,
}

/// <summary>Check-digit algorithms: wire names <c>s10</c>, <c>luhn</c>, <c>iso7064_mod11_10</c> (see <see cref="SandboxNumbers"/>).</summary>
public enum CheckDigitAlgorithm
{
    S10,
    Luhn,
    Iso7064Mod11And10,
}

/// <summary>
/// A fictional carrier of the sandbox network. Its code starts with <c>sbx-</c>, never a real carrier's.
/// <see cref="PickupHoldDays"/>: how long a parcel waits at its delivery office or pickup point before it goes back to
/// the sender (null for carriers that do not deliver to the door).
/// </summary>
public sealed record SandboxCarrier(
    string Code, string Name, SandboxCarrierKind Kind, CountryCode HomeCountry, Currency Currency, TrackingNumberFormat TrackingNumber, int? PickupHoldDays = null);

/// <summary>
/// A carrier's tracking-number format. S10: service indicator (2 letters, from the service), 8-digit serial, S10 check
/// digit, <see cref="Country"/>. Sandbox: <see cref="Prefix"/>, <see cref="SerialDigits"/> digits, one check digit.
/// </summary>
public sealed record TrackingNumberFormat(
    NumberScheme Scheme, string? Prefix, int SerialDigits, CheckDigitAlgorithm CheckDigit, CountryCode? Country, string Example)
{
    /// <summary>The length of every number of this format.</summary>
    public int Length => Scheme == NumberScheme.S10 ? 13 : Prefix!.Length + SerialDigits + 1;

    /// <summary>The largest serial a number of this format can carry.</summary>
    public long MaxSerial => (long)Math.Pow(10, SerialDigits) - 1;
}

/// <summary>A destination zone: the countries one tariff, promise and transit distribution apply to.</summary>
public sealed record SandboxZone(string Id, string Name, IReadOnlyList<CountryCode> Countries);

/// <summary>A destination a zone set deliberately leaves out, and why.</summary>
public sealed record NotServedCountry(CountryCode Country, string Reason);

/// <summary>A destination the whole network refuses, whatever the origin or service.</summary>
public sealed record Embargo(CountryCode Country, string Reason);

/// <summary>Destination zones, shared by the services that name them; each country is in at most one zone or not served.</summary>
public sealed record SandboxZoneSet(string Id, IReadOnlyList<SandboxZone> Zones, IReadOnlyList<NotServedCountry> NotServed)
{
    private readonly FrozenDictionary<CountryCode, SandboxZone> _zoneOf =
        Zones.SelectMany(z => z.Countries.Select(c => (c, z))).ToFrozenDictionary(p => p.c, p => p.z);

    private readonly FrozenDictionary<CountryCode, string> _notServed =
        NotServed.ToFrozenDictionary(n => n.Country, n => n.Reason);

    public SandboxZone? ZoneOf(CountryCode destination) => _zoneOf.GetValueOrDefault(destination);

    /// <summary>Why the destination is not served, when the zone set says so; null otherwise.</summary>
    public string? NotServedReason(CountryCode destination) => _notServed.GetValueOrDefault(destination);
}

/// <summary>
/// One weight band of a lane's tariff, in the service's currency: a chargeable weight up to and including
/// <see cref="UpToKg"/> (and above the previous band's) costs <see cref="PerItem"/> + <see cref="PerKg"/> x the whole
/// chargeable weight.
/// </summary>
public sealed record WeightBand(decimal UpToKg, Money PerItem, Money PerKg);

/// <summary>
/// The duration of one stage, in hours: median and 90th percentile. A simulator draws it from the lognormal with
/// mu = ln p50 and sigma = (ln p90 - ln p50) / 1.2816, the fit the two percentiles define.
/// </summary>
public sealed record StageTransit(double P50Hours, double P90Hours)
{
    /// <summary>z of the 90th percentile of the standard normal distribution.</summary>
    public const double Z90 = 1.2815515655446004;

    public double Mu => Math.Log(P50Hours);

    public double Sigma => (Math.Log(P90Hours) - Math.Log(P50Hours)) / Z90;
}

/// <summary>The transit-time distribution of each stage a lane goes through; a stage that does not occur is absent.</summary>
public sealed record TransitProfile(string Id, IReadOnlyDictionary<TransitStage, StageTransit> Stages)
{
    /// <summary>The sum of the stages' medians, in hours.</summary>
    public double MedianHours => Stages.Values.Sum(s => s.P50Hours);
}

/// <summary>The probability of each exception on a lane, per parcel (0 to 1; not exclusive of one another).</summary>
public sealed record ExceptionRates(string Id, double CustomsHold, double FailedAttempt, double Lost, double Damaged, double Refused, double Returned);

/// <summary>How the chargeable weight is rounded: up to a multiple of <see cref="StepKg"/>, and at least <see cref="MinimumKg"/>.</summary>
public sealed record ChargeableWeightRule(decimal StepKg, decimal MinimumKg)
{
    public decimal Round(decimal kg) => Math.Max(MinimumKg, Math.Ceiling(kg / StepKg) * StepKg);
}

/// <summary>What one parcel may be. A null dimension is not limited by this service.</summary>
public sealed record ServiceLimits(
    decimal MaxWeightKg, decimal? MaxLengthCm, decimal? MaxLengthPlusGirthCm, decimal? MaxSumOfSidesCm, Money MaxDeclaredValue);

/// <summary>
/// What a service refuses: every dangerous-goods value of <see cref="DangerousGoods.Values"/> is either accepted
/// (possibly with conditions in <see cref="Notes"/>) or refused, and the contents it never carries.
/// </summary>
public sealed record ServiceRestrictions(
    string Id,
    IReadOnlyList<string> DangerousGoodsAccepted,
    IReadOnlyList<string> DangerousGoodsRefused,
    IReadOnlyDictionary<string, string> Notes,
    IReadOnlyList<string> ProhibitedContents)
{
    public bool Accepts(string dangerousGood) => DangerousGoodsAccepted.Contains(dangerousGood, StringComparer.Ordinal);

    /// <summary>The goods of <paramref name="dangerousGoods"/> this service refuses (empty when it takes them all).</summary>
    public IReadOnlyList<string> Refused(IEnumerable<string> dangerousGoods) =>
        [.. dangerousGoods.Where(g => DangerousGoodsRefused.Contains(g, StringComparer.Ordinal))];
}

/// <summary>A served lane: one origin to one zone of a service, with its tariff, promise, transit and exceptions.</summary>
public sealed record SandboxLane(
    CountryCode Origin, SandboxZone Zone, int PromiseDays, IReadOnlyList<WeightBand> Bands, TransitProfile Transit, ExceptionRates Exceptions)
{
    /// <summary>The band a chargeable weight falls in; above the last band, the last band (volumetric weight may exceed the weight limit).</summary>
    public WeightBand BandFor(decimal chargeableKg) => Bands.FirstOrDefault(b => chargeableKg <= b.UpToKg) ?? Bands[^1];

    /// <summary>The price of a parcel of this (already rounded) chargeable weight, rounded to the currency's minor unit.</summary>
    public Money PriceOf(decimal chargeableKg)
    {
        var band = BandFor(chargeableKg);
        var amount = band.PerItem.Amount + (band.PerKg.Amount * chargeableKg);
        return new Money(decimal.Round(amount, band.PerItem.Currency.MinorUnits, MidpointRounding.AwayFromZero), band.PerItem.Currency);
    }
}

/// <summary>The lanes of a service from one origin: the zone set it uses, the zones it serves and those it does not.</summary>
public sealed record SandboxOriginLanes(
    CountryCode Origin, SandboxZoneSet ZoneSet, IReadOnlyDictionary<string, SandboxLane> Served, IReadOnlyDictionary<string, string> NotServedZones);

/// <summary>A service of a sandbox carrier. <see cref="Origins"/> for every kind but last mile, which has <see cref="DeliversIn"/>.</summary>
public sealed record SandboxService(
    string Id,
    string CarrierCode,
    string Name,
    SandboxServiceKind Kind,
    IReadOnlyList<CountryCode> Origins,
    CountryCode? DeliversIn,
    Currency Currency,
    string? S10ServiceIndicator,
    string? CustomsDocument,
    int? VolumetricDivisor,
    ChargeableWeightRule ChargeableWeight,
    ServiceLimits Limits,
    ServiceRestrictions Restrictions,
    IReadOnlyDictionary<CountryCode, SandboxOriginLanes> Lanes);

/// <summary>
/// Waybill's sandbox carrier network (<c>data/sandbox-network/catalogue.json</c>, described in
/// <c>docs/sandbox-network.md</c>): fictional carriers and services for demos, tests and load tests. The file is
/// validated when loaded; any problem fails the load with every offending item named.
/// </summary>
public sealed class SandboxCatalogue
{
    /// <summary>The one zone of a last-mile service: the country it delivers in (as first or last mile).</summary>
    public const string DomesticZone = "domestic";

    private static readonly Lazy<SandboxCatalogue> Shared = new(() => Load(ReferenceData.PathOf("sandbox-network", "catalogue.json")));

    private static readonly Lazy<FrozenSet<CountryCode>> PostalCodeCountries = new(LoadDestinations);

    private readonly FrozenDictionary<string, SandboxCarrier> _carriers;
    private readonly FrozenDictionary<string, SandboxService> _services;
    private readonly FrozenDictionary<CountryCode, Embargo> _embargoes;

    private SandboxCatalogue(
        DateOnly effectiveFrom, IReadOnlyList<Embargo> embargoes, IReadOnlyDictionary<string, SandboxZoneSet> zoneSets,
        IReadOnlyList<SandboxCarrier> carriers, IReadOnlyList<SandboxService> services)
    {
        EffectiveFrom = effectiveFrom;
        Embargoes = embargoes;
        ZoneSets = zoneSets;
        Carriers = carriers;
        Services = services;
        _carriers = carriers.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);
        _services = services.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        _embargoes = embargoes.ToFrozenDictionary(e => e.Country);
        Numbers = new SandboxNumbers(carriers, services);
    }

    /// <summary>The shipped catalogue, loaded and validated on first use (thread-safe).</summary>
    public static SandboxCatalogue Default => Shared.Value;

    /// <summary>Every country of the postal-code data (<c>data/postal-codes/postal-codes.json</c>): the destinations postal and express services must account for.</summary>
    public static IReadOnlySet<CountryCode> Destinations => PostalCodeCountries.Value;

    public DateOnly EffectiveFrom { get; }

    public IReadOnlyList<Embargo> Embargoes { get; }

    public IReadOnlyDictionary<string, SandboxZoneSet> ZoneSets { get; }

    public IReadOnlyList<SandboxCarrier> Carriers { get; }

    public IReadOnlyList<SandboxService> Services { get; }

    /// <summary>Issues and checks the tracking numbers of this catalogue's carriers.</summary>
    public SandboxNumbers Numbers { get; }

    /// <summary>Loads and validates a catalogue; throws <see cref="InvalidDataException"/> naming every problem.</summary>
    public static SandboxCatalogue Load(string path)
    {
        CatalogueFile? file;
        try
        {
            using var stream = File.OpenRead(path);
            file = JsonSerializer.Deserialize<CatalogueFile>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sandbox catalogue: {e.Message}", e);
        }
        if (file is null)
        {
            throw new InvalidDataException($"{path}: not a sandbox catalogue: the file holds null.");
        }
        return new CatalogueBuilder(path, file).Build();
    }

    public SandboxCarrier? FindCarrier(string code) => _carriers.GetValueOrDefault(code);

    public SandboxService? FindService(string id) => _services.GetValueOrDefault(id);

    /// <summary>The carrier of a service of this catalogue.</summary>
    public SandboxCarrier CarrierOf(SandboxService service) => _carriers[service.CarrierCode];

    /// <summary>The services that pick parcels up in <paramref name="origin"/> for another country (not last mile).</summary>
    public IReadOnlyList<SandboxService> ServicesFrom(CountryCode origin) =>
        [.. Services.Where(s => s.Kind != SandboxServiceKind.LastMile && s.Lanes.ContainsKey(origin))];

    /// <summary>The last-mile services that deliver in <paramref name="country"/> (also its first mile to a line-haul hub).</summary>
    public IReadOnlyList<SandboxService> LastMileIn(CountryCode country) =>
        [.. Services.Where(s => s.Kind == SandboxServiceKind.LastMile && s.DeliversIn == country)];

    /// <summary>Why the network refuses <paramref name="destination"/> whatever the service; null when it does not.</summary>
    public string? EmbargoOn(CountryCode destination) => _embargoes.GetValueOrDefault(destination)?.Reason;

    /// <summary>The zone of a destination for a service from an origin; null with the reason when the service does not serve it.</summary>
    public SandboxZone? ZoneOf(SandboxService service, CountryCode origin, CountryCode destination, out string? reason) =>
        LaneOf(service, origin, destination, out reason)?.Zone;

    /// <summary>
    /// The lane (zone, tariff, promise, transit, exceptions) of a destination for a service from an origin; null with the
    /// reason when not served. A last-mile service serves its own country from any origin (the parcel arrives by line-haul).
    /// </summary>
    public SandboxLane? LaneOf(SandboxService service, CountryCode origin, CountryCode destination, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (EmbargoOn(destination) is { } embargo)
        {
            reason = $"{destination}: {embargo}";
            return null;
        }
        var from = service.Kind == SandboxServiceKind.LastMile ? service.DeliversIn!.Value : origin;
        if (service.Kind == SandboxServiceKind.LastMile && destination != from)
        {
            reason = $"{service.Id} delivers only in {from}.";
            return null;
        }
        if (!service.Lanes.TryGetValue(from, out var lanes))
        {
            reason = $"{service.Id} does not ship from {origin} (origins: {string.Join(", ", service.Origins)}).";
            return null;
        }
        if (lanes.ZoneSet.ZoneOf(destination) is not { } zone)
        {
            reason = lanes.ZoneSet.NotServedReason(destination) is { } why
                ? $"{service.Id} does not serve {destination} from {origin}: {why}"
                : $"{destination} is not a destination of {service.Id} from {origin}.";
            return null;
        }
        if (lanes.NotServedZones.TryGetValue(zone.Id, out var zoneReason))
        {
            reason = $"{service.Id} does not serve zone {zone.Id} ({destination}) from {origin}: {zoneReason}";
            return null;
        }
        reason = null;
        return lanes.Served[zone.Id];
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static FrozenSet<CountryCode> LoadDestinations()
    {
        using var stream = File.OpenRead(ReferenceData.PathOf("postal-codes", "postal-codes.json"));
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        return root.GetProperty("countries").EnumerateObject().Select(c => c.Name)
            .Concat(root.GetProperty("noPostalCode").EnumerateArray().Select(c => c.GetString()!))
            .Select(CountryCode.Parse)
            .ToFrozenSet();
    }

    // ---- The file as written (camelCase JSON); the builder validates it into the records above. ----

    private sealed class CatalogueFile
    {
        public string? About { get; init; }
        public string? Licence { get; init; }
        public string? EffectiveFrom { get; init; }
        public Dictionary<string, string>? CheckDigitAlgorithms { get; init; }
        public List<EmbargoFile>? Embargoes { get; init; }
        public Dictionary<string, List<string>>? Regions { get; init; }
        public Dictionary<string, ZoneSetFile>? ZoneSets { get; init; }
        public Dictionary<string, Dictionary<string, List<double>>>? TransitProfiles { get; init; }
        public Dictionary<string, Dictionary<string, double>>? ExceptionProfiles { get; init; }
        public Dictionary<string, RestrictionsFile>? RestrictionProfiles { get; init; }
        public List<CarrierFile>? Carriers { get; init; }
        public List<ServiceFile>? Services { get; init; }
    }

    private sealed class EmbargoFile
    {
        public string? Country { get; init; }
        public string? Reason { get; init; }
    }

    private sealed class ZoneSetFile
    {
        public List<ZoneFile>? Zones { get; init; }
        public List<NotServedFile>? NotServed { get; init; }
    }

    private sealed class ZoneFile
    {
        public string? Id { get; init; }
        public string? Name { get; init; }
        public List<string>? Countries { get; init; }
        public List<string>? Regions { get; init; }
    }

    private sealed class NotServedFile
    {
        public List<string>? Countries { get; init; }
        public List<string>? Regions { get; init; }
        public string? Reason { get; init; }
    }

    private sealed class RestrictionsFile
    {
        public DangerousGoodsFile? DangerousGoods { get; init; }
        public List<string>? ProhibitedContents { get; init; }
    }

    private sealed class DangerousGoodsFile
    {
        public List<string>? Accepted { get; init; }
        public List<string>? Refused { get; init; }
        public Dictionary<string, string>? Notes { get; init; }
    }

    private sealed class CarrierFile
    {
        public string? Code { get; init; }
        public string? Name { get; init; }
        public string? Kind { get; init; }
        public string? HomeCountry { get; init; }
        public string? Currency { get; init; }
        public NumberFormatFile? TrackingNumber { get; init; }
        public int? PickupHoldDays { get; init; }
    }

    private sealed class NumberFormatFile
    {
        public string? Scheme { get; init; }
        public string? Country { get; init; }
        public string? Prefix { get; init; }
        public int? SerialDigits { get; init; }
        public string? CheckDigit { get; init; }
        public string? Example { get; init; }
    }

    private sealed class ServiceFile
    {
        public string? Id { get; init; }
        public string? Carrier { get; init; }
        public string? Name { get; init; }
        public string? Kind { get; init; }
        public Dictionary<string, string>? Origins { get; init; }
        public string? DeliversIn { get; init; }
        public string? Currency { get; init; }
        public string? S10ServiceIndicator { get; init; }
        public string? CustomsDocument { get; init; }
        public int? VolumetricDivisor { get; init; }
        public ChargeableWeightFile? ChargeableWeight { get; init; }
        public LimitsFile? Limits { get; init; }
        public string? Restrictions { get; init; }
        public Dictionary<string, Dictionary<string, LaneFile>>? Lanes { get; init; }
    }

    private sealed class ChargeableWeightFile
    {
        public decimal? StepKg { get; init; }
        public decimal? MinimumKg { get; init; }
    }

    private sealed class LimitsFile
    {
        public decimal? MaxWeightKg { get; init; }
        public decimal? MaxLengthCm { get; init; }
        public decimal? MaxLengthPlusGirthCm { get; init; }
        public decimal? MaxSumOfSidesCm { get; init; }
        public decimal? MaxDeclaredValue { get; init; }
    }

    private sealed class LaneFile
    {
        public string? NotServed { get; init; }
        public int? PromiseDays { get; init; }
        public string? Transit { get; init; }
        public string? Exceptions { get; init; }
        public List<BandFile>? Bands { get; init; }
    }

    private sealed class BandFile
    {
        public decimal? UpToKg { get; init; }
        public decimal? PerItem { get; init; }
        public decimal? PerKg { get; init; }
    }

    /// <summary>Turns the file into records, collecting every problem so that one load reports them all.</summary>
    private sealed class CatalogueBuilder(string path, CatalogueFile file)
    {
        private static readonly FrozenDictionary<string, SandboxCarrierKind> CarrierKinds = new Dictionary<string, SandboxCarrierKind>
        {
            ["postal"] = SandboxCarrierKind.Postal,
            ["express"] = SandboxCarrierKind.Express,
            ["line_haul"] = SandboxCarrierKind.LineHaul,
            ["last_mile"] = SandboxCarrierKind.LastMile,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        private static readonly FrozenDictionary<string, SandboxServiceKind> ServiceKinds = new Dictionary<string, SandboxServiceKind>
        {
            ["postal_small_packet"] = SandboxServiceKind.PostalSmallPacket,
            ["postal_parcel"] = SandboxServiceKind.PostalParcel,
            ["express"] = SandboxServiceKind.Express,
            ["line_haul_air"] = SandboxServiceKind.LineHaulAir,
            ["line_haul_sea"] = SandboxServiceKind.LineHaulSea,
            ["last_mile"] = SandboxServiceKind.LastMile,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        private static readonly FrozenDictionary<string, TransitStage> Stages = new Dictionary<string, TransitStage>
        {
            ["first_mile"] = TransitStage.FirstMile,
            ["export_customs"] = TransitStage.ExportCustoms,
            ["line_haul"] = TransitStage.LineHaul,
            ["import_customs"] = TransitStage.ImportCustoms,
            ["last_mile"] = TransitStage.LastMile,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        private static readonly FrozenDictionary<string, CheckDigitAlgorithm> Algorithms = new Dictionary<string, CheckDigitAlgorithm>
        {
            ["s10"] = CheckDigitAlgorithm.S10,
            ["luhn"] = CheckDigitAlgorithm.Luhn,
            ["iso7064_mod11_10"] = CheckDigitAlgorithm.Iso7064Mod11And10,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        private static readonly string[] ExceptionKinds = ["customs_hold", "failed_attempt", "lost", "damaged", "refused", "returned"];

        private static readonly string[] CustomsDocuments = ["CN22", "CN23", "commercial_invoice"];

        /// <summary>The stages every transit profile of a service kind must give (customs may be absent inside a customs union).</summary>
        private static readonly FrozenDictionary<SandboxServiceKind, TransitStage[]> RequiredStages = new Dictionary<SandboxServiceKind, TransitStage[]>
        {
            [SandboxServiceKind.PostalSmallPacket] = [TransitStage.FirstMile, TransitStage.LineHaul, TransitStage.LastMile],
            [SandboxServiceKind.PostalParcel] = [TransitStage.FirstMile, TransitStage.LineHaul, TransitStage.LastMile],
            [SandboxServiceKind.Express] = [TransitStage.FirstMile, TransitStage.LineHaul, TransitStage.LastMile],
            [SandboxServiceKind.LineHaulAir] = [TransitStage.LineHaul],
            [SandboxServiceKind.LineHaulSea] = [TransitStage.LineHaul],
            [SandboxServiceKind.LastMile] = [TransitStage.LastMile],
        }.ToFrozenDictionary();

        private readonly List<string> _problems = [];
        private readonly Dictionary<string, List<CountryCode>> _regions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SandboxZoneSet> _zoneSets = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TransitProfile> _transit = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ExceptionRates> _exceptions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ServiceRestrictions> _restrictions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SandboxCarrier> _carriers = new(StringComparer.Ordinal);
        private readonly List<SandboxService> _services = [];
        private readonly List<Embargo> _embargoes = [];

        public SandboxCatalogue Build()
        {
            var effective = default(DateOnly);
            if (!DateOnly.TryParseExact(file.EffectiveFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out effective))
            {
                Problem($"effectiveFrom: '{file.EffectiveFrom}' is not a date (yyyy-MM-dd).");
            }
            foreach (var name in (file.CheckDigitAlgorithms ?? []).Keys.Where(k => !Algorithms.ContainsKey(k)))
            {
                Problem($"checkDigitAlgorithms: '{name}' is not an algorithm Waybill implements ({string.Join(", ", Algorithms.Keys)}).");
            }
            ReadEmbargoes();
            ReadRegions();
            ReadZoneSets();
            ReadTransitProfiles();
            ReadExceptionProfiles();
            ReadRestrictionProfiles();
            ReadCarriers();
            ReadServices();
            CheckNetwork();
            if (_problems.Count > 0)
            {
                throw new InvalidDataException(
                    $"{path}: the sandbox catalogue is invalid ({_problems.Count} problem{(_problems.Count == 1 ? "" : "s")}):\n- {string.Join("\n- ", _problems)}");
            }
            var catalogue = new SandboxCatalogue(effective, _embargoes, _zoneSets.ToFrozenDictionary(StringComparer.Ordinal), [.. _carriers.Values], _services);
            CheckExamples(catalogue);
            if (_problems.Count > 0)
            {
                throw new InvalidDataException($"{path}: the sandbox catalogue is invalid:\n- {string.Join("\n- ", _problems)}");
            }
            return catalogue;
        }

        private void Problem(string message) => _problems.Add(message);

        private bool TryCountry(string? code, string where, out CountryCode country)
        {
            // Codes are written upper-case in the file; CountryCode would accept "de", the file must not.
            if (code is null || code.Any(char.IsLower) || !CountryCode.TryCreate(code, out country, out _))
            {
                Problem($"{where}: '{code}' is not an ISO 3166-1 alpha-2 country code.");
                country = default;
                return false;
            }
            return true;
        }

        private bool TryCurrency(string? code, string where, out Currency currency)
        {
            if (code is null || code.Any(char.IsLower) || !Currency.TryCreate(code, out currency, out _))
            {
                Problem($"{where}: '{code}' is not an ISO 4217 currency code in use.");
                currency = default;
                return false;
            }
            return true;
        }

        private bool Required(string? text, string where, string field)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                Problem($"{where}: '{field}' is required.");
                return false;
            }
            return true;
        }

        private void ReadEmbargoes()
        {
            var seen = new HashSet<CountryCode>();
            foreach (var (embargo, i) in (file.Embargoes ?? []).Select((e, i) => (e, i)))
            {
                var where = $"embargoes[{i}]";
                if (TryCountry(embargo.Country, where, out var country) && Required(embargo.Reason, where, "reason"))
                {
                    if (seen.Add(country))
                    {
                        _embargoes.Add(new Embargo(country, embargo.Reason!));
                    }
                    else
                    {
                        Problem($"{where}: {country} is embargoed twice.");
                    }
                }
            }
        }

        private bool Embargoed(CountryCode country) => _embargoes.Any(e => e.Country == country);

        private void ReadRegions()
        {
            var regionOf = new Dictionary<CountryCode, string>();
            foreach (var (name, codes) in file.Regions ?? [])
            {
                var countries = new List<CountryCode>();
                foreach (var code in codes ?? [])
                {
                    if (!TryCountry(code, $"region '{name}'", out var country))
                    {
                        continue;
                    }
                    if (regionOf.TryGetValue(country, out var other))
                    {
                        Problem($"region '{name}': {country} is already in region '{other}'.");
                        continue;
                    }
                    if (Embargoed(country))
                    {
                        Problem($"region '{name}': {country} is embargoed (embargoes) and cannot be in a region.");
                        continue;
                    }
                    regionOf[country] = name;
                    countries.Add(country);
                }
                _regions[name] = countries;
            }
        }

        private List<CountryCode> Resolve(IEnumerable<string>? regions, IEnumerable<string>? countries, string where)
        {
            var result = new List<CountryCode>();
            foreach (var region in regions ?? [])
            {
                if (_regions.TryGetValue(region, out var members))
                {
                    result.AddRange(members);
                }
                else
                {
                    Problem($"{where}: region '{region}' is unknown.");
                }
            }
            foreach (var code in countries ?? [])
            {
                if (TryCountry(code, where, out var country))
                {
                    result.Add(country);
                }
            }
            return result;
        }

        private void ReadZoneSets()
        {
            foreach (var (id, set) in file.ZoneSets ?? [])
            {
                var where = $"zone set '{id}'";
                var placed = new Dictionary<CountryCode, string>();
                var zones = new List<SandboxZone>();
                foreach (var (zone, i) in (set.Zones ?? []).Select((z, i) => (z, i)))
                {
                    if (!Required(zone.Id, $"{where} zones[{i}]", "id") || !Required(zone.Name, $"{where} zone '{zone.Id}'", "name"))
                    {
                        continue;
                    }
                    var zoneWhere = $"{where} zone '{zone.Id}'";
                    if (zones.Any(z => z.Id == zone.Id))
                    {
                        Problem($"{where}: zone '{zone.Id}' is defined twice.");
                        continue;
                    }
                    var countries = new List<CountryCode>();
                    foreach (var country in Resolve(zone.Regions, zone.Countries, zoneWhere))
                    {
                        if (Embargoed(country))
                        {
                            Problem($"{zoneWhere}: {country} is embargoed (embargoes) and cannot be in a zone.");
                        }
                        else if (placed.TryGetValue(country, out var other))
                        {
                            Problem($"{where}: {country} is in zone '{other}' and in zone '{zone.Id}'.");
                        }
                        else
                        {
                            placed[country] = zone.Id!;
                            countries.Add(country);
                        }
                    }
                    if (countries.Count == 0)
                    {
                        Problem($"{zoneWhere}: has no country.");
                    }
                    zones.Add(new SandboxZone(zone.Id!, zone.Name!, countries));
                }
                if (zones.Count == 0)
                {
                    Problem($"{where}: has no zone.");
                }
                var notServed = new List<NotServedCountry>();
                foreach (var (entry, i) in (set.NotServed ?? []).Select((n, i) => (n, i)))
                {
                    var entryWhere = $"{where} notServed[{i}]";
                    if (!Required(entry.Reason, entryWhere, "reason"))
                    {
                        continue;
                    }
                    foreach (var country in Resolve(entry.Regions, entry.Countries, entryWhere))
                    {
                        if (placed.TryGetValue(country, out var other))
                        {
                            Problem($"{where}: {country} is in zone '{other}' and listed as not served.");
                        }
                        else
                        {
                            placed[country] = "notServed";
                            notServed.Add(new NotServedCountry(country, entry.Reason!));
                        }
                    }
                }
                _zoneSets[id] = new SandboxZoneSet(id, zones, notServed);
            }
        }

        private void ReadTransitProfiles()
        {
            foreach (var (id, stages) in file.TransitProfiles ?? [])
            {
                var where = $"transit profile '{id}'";
                var read = new Dictionary<TransitStage, StageTransit>();
                foreach (var (name, hours) in stages ?? [])
                {
                    if (!Stages.TryGetValue(name, out var stage))
                    {
                        Problem($"{where}: '{name}' is not a stage ({string.Join(", ", Stages.Keys)}).");
                        continue;
                    }
                    if (hours is not { Count: 2 })
                    {
                        Problem($"{where} stage '{name}': give [p50, p90] in hours.");
                        continue;
                    }
                    var (p50, p90) = (hours[0], hours[1]);
                    if (!(p50 > 0) || !double.IsFinite(p90))
                    {
                        Problem($"{where} stage '{name}': p50 ({p50}) must be more than 0 hours.");
                        continue;
                    }
                    if (p90 < p50)
                    {
                        Problem($"{where} stage '{name}': p90 ({p90}) is below p50 ({p50}).");
                        continue;
                    }
                    read[stage] = new StageTransit(p50, p90);
                }
                if (read.Count == 0)
                {
                    Problem($"{where}: has no stage.");
                }
                _transit[id] = new TransitProfile(id, read.OrderBy(s => s.Key).ToFrozenDictionary(s => s.Key, s => s.Value));
            }
        }

        private void ReadExceptionProfiles()
        {
            foreach (var (id, rates) in file.ExceptionProfiles ?? [])
            {
                var where = $"exception profile '{id}'";
                var values = rates ?? [];
                foreach (var name in values.Keys.Where(k => !ExceptionKinds.Contains(k, StringComparer.Ordinal)))
                {
                    Problem($"{where}: '{name}' is not an exception ({string.Join(", ", ExceptionKinds)}).");
                }
                foreach (var name in ExceptionKinds.Where(k => !values.ContainsKey(k)))
                {
                    Problem($"{where}: '{name}' is missing.");
                }
                foreach (var (name, p) in values.Where(v => !(v.Value is >= 0 and <= 1)))
                {
                    Problem($"{where}: {name} = {p.ToString(CultureInfo.InvariantCulture)} is not a probability (0 to 1).");
                }
                double Rate(string name) => values.GetValueOrDefault(name);
                _exceptions[id] = new ExceptionRates(
                    id, Rate("customs_hold"), Rate("failed_attempt"), Rate("lost"), Rate("damaged"), Rate("refused"), Rate("returned"));
            }
        }

        private void ReadRestrictionProfiles()
        {
            foreach (var (id, profile) in file.RestrictionProfiles ?? [])
            {
                var where = $"restriction profile '{id}'";
                var goods = profile.DangerousGoods;
                if (goods is null)
                {
                    Problem($"{where}: 'dangerousGoods' is required.");
                    continue;
                }
                var accepted = goods.Accepted ?? [];
                var refused = goods.Refused ?? [];
                var notes = goods.Notes ?? [];
                foreach (var value in accepted.Concat(refused).Concat(notes.Keys).Where(v => !DangerousGoods.Values.Contains(v, StringComparer.Ordinal)).Distinct())
                {
                    Problem($"{where}: '{value}' is not a dangerous-goods value ({string.Join(", ", DangerousGoods.Values)}).");
                }
                foreach (var value in DangerousGoods.Values)
                {
                    var times = accepted.Count(v => v == value) + refused.Count(v => v == value);
                    if (times == 0)
                    {
                        Problem($"{where}: dangerous good '{value}' is neither accepted nor refused.");
                    }
                    else if (times > 1)
                    {
                        Problem($"{where}: dangerous good '{value}' is listed more than once (accepted and refused are exclusive).");
                    }
                }
                _restrictions[id] = new ServiceRestrictions(
                    id, [.. accepted], [.. refused], notes.ToFrozenDictionary(StringComparer.Ordinal), [.. profile.ProhibitedContents ?? []]);
            }
        }

        private void ReadCarriers()
        {
            var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (carrier, i) in (file.Carriers ?? []).Select((c, i) => (c, i)))
            {
                var where = $"carriers[{i}]";
                if (!Required(carrier.Code, where, "code"))
                {
                    continue;
                }
                where = $"carrier '{carrier.Code}'";
                var ok = true;
                // A sandbox code can never be a real carrier's: real codes (data/carriers) have no "sbx-" prefix.
                if (!carrier.Code!.StartsWith("sbx-", StringComparison.Ordinal) || !carrier.Code.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                {
                    Problem($"{where}: a sandbox carrier code is 'sbx-' followed by lower-case letters, digits and '-'.");
                    ok = false;
                }
                if (_carriers.ContainsKey(carrier.Code))
                {
                    Problem($"{where}: defined twice.");
                    continue;
                }
                ok &= Required(carrier.Name, where, "name");
                if (!CarrierKinds.TryGetValue(carrier.Kind ?? "", out var kind))
                {
                    Problem($"{where}: kind '{carrier.Kind}' is not one of {string.Join(", ", CarrierKinds.Keys)}.");
                    ok = false;
                }
                ok &= TryCountry(carrier.HomeCountry, $"{where} homeCountry", out var home);
                ok &= TryCurrency(carrier.Currency, $"{where} currency", out var currency);
                if (carrier.PickupHoldDays is < 1 or > 60)
                {
                    Problem($"{where}: pickupHoldDays must be 1 to 60 days, not {carrier.PickupHoldDays}.");
                    ok = false;
                }
                var format = ReadFormat(carrier.TrackingNumber, kind, home, where, prefixes, carrier.Code);
                if (ok && format is not null)
                {
                    _carriers[carrier.Code] = new SandboxCarrier(carrier.Code, carrier.Name!, kind, home, currency, format, carrier.PickupHoldDays);
                }
            }
        }

        private TrackingNumberFormat? ReadFormat(
            NumberFormatFile? format, SandboxCarrierKind kind, CountryCode home, string where, Dictionary<string, string> prefixes, string code)
        {
            where = $"{where} trackingNumber";
            if (format is null)
            {
                Problem($"{where}: is required.");
                return null;
            }
            if (!Required(format.Example, where, "example"))
            {
                return null;
            }
            if (kind == SandboxCarrierKind.Postal)
            {
                // Postal carriers issue UPU S10 numbers in their own country.
                if (format.Scheme != "s10" || format.Prefix is not null || format.SerialDigits is not null || format.CheckDigit is not (null or "s10"))
                {
                    Problem($"{where}: a postal carrier issues UPU S10 numbers: {{\"scheme\": \"s10\", \"country\", \"example\"}}.");
                    return null;
                }
                if (!TryCountry(format.Country, $"{where} country", out var country))
                {
                    return null;
                }
                if (country != home)
                {
                    Problem($"{where}: S10 numbers carry the issuing post's country, {home}, not {country}.");
                    return null;
                }
                return new TrackingNumberFormat(NumberScheme.S10, null, 8, CheckDigitAlgorithm.S10, country, format.Example!);
            }
            if (format.Scheme != "sandbox" || format.Country is not null)
            {
                Problem($"{where}: only postal carriers issue S10 numbers; this carrier uses {{\"scheme\": \"sandbox\", \"prefix\", \"serialDigits\", \"checkDigit\", \"example\"}}.");
                return null;
            }
            var ok = true;
            // Upper-case letters only, so that a number's leading letters are exactly its prefix (serials are digits):
            // distinct prefixes then never share a number.
            if (format.Prefix is not { Length: >= 4 and <= 8 } prefix || !prefix.StartsWith("SBX", StringComparison.Ordinal) || !prefix.All(char.IsAsciiLetterUpper))
            {
                Problem($"{where}: prefix '{format.Prefix}' must be 'SBX' and 1 to 5 more capital letters.");
                ok = false;
            }
            else if (prefixes.TryGetValue(prefix, out var other))
            {
                Problem($"{where}: prefix '{prefix}' is already carrier '{other}''s.");
                ok = false;
            }
            else
            {
                prefixes[prefix] = code;
            }
            if (format.SerialDigits is not (>= 6 and <= 12))
            {
                Problem($"{where}: serialDigits ({format.SerialDigits}) must be 6 to 12.");
                ok = false;
            }
            if (!Algorithms.TryGetValue(format.CheckDigit ?? "", out var algorithm) || algorithm == CheckDigitAlgorithm.S10)
            {
                Problem($"{where}: checkDigit '{format.CheckDigit}' must be luhn or iso7064_mod11_10.");
                ok = false;
            }
            return ok ? new TrackingNumberFormat(NumberScheme.Sandbox, format.Prefix, format.SerialDigits!.Value, algorithm, null, format.Example!) : null;
        }

        private void ReadServices()
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (service, i) in (file.Services ?? []).Select((s, i) => (s, i)))
            {
                if (!Required(service.Id, $"services[{i}]", "id"))
                {
                    continue;
                }
                var where = $"service '{service.Id}'";
                if (!ids.Add(service.Id!))
                {
                    Problem($"{where}: defined twice.");
                    continue;
                }
                if (ReadService(service, where) is { } read)
                {
                    _services.Add(read);
                }
            }
        }

        private SandboxService? ReadService(ServiceFile service, string where)
        {
            var ok = Required(service.Name, where, "name");
            if (!_carriers.TryGetValue(service.Carrier ?? "", out var carrier))
            {
                Problem($"{where}: carrier '{service.Carrier}' is unknown.");
                return null;
            }
            if (!service.Id!.StartsWith(carrier.Code + "-", StringComparison.Ordinal))
            {
                Problem($"{where}: a service id starts with its carrier's code and '-' ('{carrier.Code}-...').");
                ok = false;
            }
            if (!ServiceKinds.TryGetValue(service.Kind ?? "", out var kind))
            {
                Problem($"{where}: kind '{service.Kind}' is not one of {string.Join(", ", ServiceKinds.Keys)}.");
                return null;
            }
            var allowed = carrier.Kind switch
            {
                SandboxCarrierKind.Postal => kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel or SandboxServiceKind.Express,
                SandboxCarrierKind.Express => kind == SandboxServiceKind.Express,
                SandboxCarrierKind.LineHaul => kind is SandboxServiceKind.LineHaulAir or SandboxServiceKind.LineHaulSea,
                _ => kind == SandboxServiceKind.LastMile,
            };
            if (!allowed)
            {
                Problem($"{where}: a {carrier.Kind} carrier does not run {service.Kind} services.");
                ok = false;
            }
            if (TryCurrency(service.Currency, $"{where} currency", out var currency) && currency != carrier.Currency)
            {
                Problem($"{where}: prices are in the carrier's currency, {carrier.Currency}, not {currency}.");
                ok = false;
            }
            ok &= currency != default;

            // Origins: zone sets per origin; a last-mile service delivers in one country instead.
            var origins = new List<(CountryCode Country, SandboxZoneSet Zones)>();
            CountryCode? deliversIn = null;
            if (kind == SandboxServiceKind.LastMile)
            {
                if (service.Origins is not null)
                {
                    Problem($"{where}: a last-mile service has 'deliversIn', not 'origins'.");
                    ok = false;
                }
                if (TryCountry(service.DeliversIn, $"{where} deliversIn", out var country))
                {
                    deliversIn = country;
                    var zone = new SandboxZone(DomesticZone, $"Domestic {country}", [country]);
                    origins.Add((country, new SandboxZoneSet($"domestic-{country}", [zone], [])));
                }
                else
                {
                    ok = false;
                }
            }
            else
            {
                if (service.DeliversIn is not null)
                {
                    Problem($"{where}: only a last-mile service has 'deliversIn'.");
                    ok = false;
                }
                if (service.Origins is not { Count: > 0 })
                {
                    Problem($"{where}: 'origins' is required (origin country: zone set).");
                    return null;
                }
                foreach (var (code, zoneSetId) in service.Origins)
                {
                    if (!TryCountry(code, $"{where} origins", out var origin))
                    {
                        ok = false;
                    }
                    else if (!_zoneSets.TryGetValue(zoneSetId, out var zoneSet))
                    {
                        Problem($"{where} origin {origin}: zone set '{zoneSetId}' is unknown.");
                        ok = false;
                    }
                    else
                    {
                        origins.Add((origin, zoneSet));
                    }
                }
            }

            // S10 service indicator: postal carriers only; first letter one S10 allows and that fits the kind (UPU S10-12 annex A).
            if (carrier.Kind == SandboxCarrierKind.Postal)
            {
                if (origins.Any(o => o.Country != carrier.HomeCountry))
                {
                    Problem($"{where}: a postal carrier ships from its own country, {carrier.HomeCountry}, only.");
                    ok = false;
                }
                var letters = kind switch
                {
                    SandboxServiceKind.PostalSmallPacket => "LRUV",
                    SandboxServiceKind.PostalParcel => "CH",
                    _ => "E",
                };
                if (service.S10ServiceIndicator is not { Length: 2 } indicator || !indicator.All(char.IsAsciiLetterUpper) || !letters.Contains(indicator[0], StringComparison.Ordinal))
                {
                    Problem($"{where}: s10ServiceIndicator '{service.S10ServiceIndicator}' must be 2 capital letters, the first one of {string.Join('/', letters.ToCharArray())} for a {service.Kind} service.");
                    ok = false;
                }
                else if (_services.Any(s => s.CarrierCode == carrier.Code && s.S10ServiceIndicator == indicator))
                {
                    Problem($"{where}: s10ServiceIndicator '{indicator}' is already used by another service of {carrier.Code}.");
                    ok = false;
                }
            }
            else if (service.S10ServiceIndicator is not null)
            {
                Problem($"{where}: only a postal carrier's services have an s10ServiceIndicator.");
                ok = false;
            }

            if (service.CustomsDocument is { } document && !CustomsDocuments.Contains(document, StringComparer.Ordinal))
            {
                Problem($"{where}: customsDocument '{document}' is not one of {string.Join(", ", CustomsDocuments)} (or null for a domestic service).");
                ok = false;
            }
            else if ((kind == SandboxServiceKind.LastMile) != (service.CustomsDocument is null))
            {
                Problem($"{where}: a cross-border service names its customsDocument; a last-mile (domestic) service has none.");
                ok = false;
            }
            if (service.VolumetricDivisor is { } divisor && divisor is < 1000 or > 10000)
            {
                Problem($"{where}: volumetricDivisor {divisor} is not a divisor in cm3/kg (1000 to 10000, or null when not applied).");
                ok = false;
            }
            var rule = service.ChargeableWeight;
            if (rule?.StepKg is not > 0 || rule.MinimumKg is not >= 0)
            {
                Problem($"{where}: chargeableWeight needs stepKg > 0 and minimumKg >= 0.");
                ok = false;
            }
            var limits = ReadLimits(service.Limits, currency, where);
            ok &= limits is not null;
            if (!_restrictions.TryGetValue(service.Restrictions ?? "", out var restrictions))
            {
                Problem($"{where}: restriction profile '{service.Restrictions}' is unknown.");
                ok = false;
            }

            var lanes = new Dictionary<CountryCode, SandboxOriginLanes>();
            var lanesFile = service.Lanes ?? [];
            foreach (var key in lanesFile.Keys.Where(k => !origins.Any(o => o.Country.Value == k)))
            {
                Problem($"{where}: lanes for '{key}', which is not an origin of the service.");
                ok = false;
            }
            foreach (var (origin, zoneSet) in origins)
            {
                if (!lanesFile.TryGetValue(origin.Value, out var zoneLanes))
                {
                    Problem($"{where}: no lanes from origin {origin}.");
                    ok = false;
                    continue;
                }
                var read = ReadLanes(zoneLanes, origin, zoneSet, kind, currency, limits, $"{where} origin {origin}");
                if (read is null)
                {
                    ok = false;
                    continue;
                }
                lanes[origin] = read;
                if (kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel or SandboxServiceKind.Express)
                {
                    // Every destination of the postal-code data is in a zone, not served by the zone set, or embargoed.
                    foreach (var destination in Destinations.OrderBy(d => d.Value, StringComparer.Ordinal))
                    {
                        if (zoneSet.ZoneOf(destination) is null && zoneSet.NotServedReason(destination) is null && !Embargoed(destination))
                        {
                            Problem($"{where} origin {origin}: destination {destination} is in no zone of '{zoneSet.Id}' and not listed under notServed.");
                            ok = false;
                        }
                    }
                }
            }
            return ok
                ? new SandboxService(
                    service.Id!, carrier.Code, service.Name!, kind, deliversIn is null ? [.. origins.Select(o => o.Country)] : [], deliversIn, currency,
                    service.S10ServiceIndicator, service.CustomsDocument, service.VolumetricDivisor,
                    new ChargeableWeightRule(rule!.StepKg!.Value, rule.MinimumKg!.Value), limits!, restrictions!, lanes.ToFrozenDictionary())
                : null;
        }

        private ServiceLimits? ReadLimits(LimitsFile? limits, Currency currency, string where)
        {
            where = $"{where} limits";
            if (limits is null)
            {
                Problem($"{where}: are required.");
                return null;
            }
            var ok = true;
            if (limits.MaxWeightKg is not > 0)
            {
                Problem($"{where}: maxWeightKg must be more than 0.");
                ok = false;
            }
            foreach (var (name, value) in new[] { ("maxLengthCm", limits.MaxLengthCm), ("maxLengthPlusGirthCm", limits.MaxLengthPlusGirthCm), ("maxSumOfSidesCm", limits.MaxSumOfSidesCm) })
            {
                if (value is <= 0)
                {
                    Problem($"{where}: {name} must be more than 0 (or null when not limited).");
                    ok = false;
                }
            }
            if (limits.MaxDeclaredValue is not > 0)
            {
                Problem($"{where}: maxDeclaredValue must be more than 0.");
                ok = false;
            }
            else if (currency != default && !FitsMinorUnits(limits.MaxDeclaredValue.Value, currency))
            {
                Problem($"{where}: maxDeclaredValue {limits.MaxDeclaredValue} has more decimals than {currency} allows.");
                ok = false;
            }
            return ok
                ? new ServiceLimits(limits.MaxWeightKg!.Value, limits.MaxLengthCm, limits.MaxLengthPlusGirthCm, limits.MaxSumOfSidesCm, new Money(limits.MaxDeclaredValue!.Value, currency))
                : null;
        }

        private static bool FitsMinorUnits(decimal amount, Currency currency) => decimal.Round(amount, currency.MinorUnits) == amount;

        private SandboxOriginLanes? ReadLanes(
            Dictionary<string, LaneFile> lanes, CountryCode origin, SandboxZoneSet zoneSet, SandboxServiceKind kind, Currency currency,
            ServiceLimits? limits, string where)
        {
            var ok = true;
            foreach (var key in lanes.Keys.Where(k => !zoneSet.Zones.Any(z => z.Id == k)))
            {
                Problem($"{where}: '{key}' is not a zone of zone set '{zoneSet.Id}'.");
                ok = false;
            }
            var served = new Dictionary<string, SandboxLane>(StringComparer.Ordinal);
            var notServed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var zone in zoneSet.Zones)
            {
                var laneWhere = $"{where} zone '{zone.Id}'";
                if (!lanes.TryGetValue(zone.Id, out var lane))
                {
                    Problem($"{laneWhere}: no lane (give one, or {{\"notServed\": reason}}).");
                    ok = false;
                    continue;
                }
                if (lane.NotServed is not null)
                {
                    if (string.IsNullOrWhiteSpace(lane.NotServed) || lane.PromiseDays is not null || lane.Bands is not null || lane.Transit is not null || lane.Exceptions is not null)
                    {
                        Problem($"{laneWhere}: a zone not served has a reason and nothing else.");
                        ok = false;
                    }
                    notServed[zone.Id] = lane.NotServed;
                    continue;
                }
                var read = ReadLane(lane, origin, zone, kind, currency, limits, laneWhere);
                if (read is null)
                {
                    ok = false;
                }
                else
                {
                    served[zone.Id] = read;
                }
            }
            return ok
                ? new SandboxOriginLanes(origin, zoneSet, served.ToFrozenDictionary(StringComparer.Ordinal), notServed.ToFrozenDictionary(StringComparer.Ordinal))
                : null;
        }

        private SandboxLane? ReadLane(
            LaneFile lane, CountryCode origin, SandboxZone zone, SandboxServiceKind kind, Currency currency, ServiceLimits? limits, string where)
        {
            var ok = true;
            if (lane.PromiseDays is not >= 1)
            {
                Problem($"{where}: promiseDays must be at least 1.");
                ok = false;
            }
            var bands = new List<WeightBand>();
            if (lane.Bands is not { Count: > 0 })
            {
                Problem($"{where}: bands are empty.");
                ok = false;
            }
            foreach (var (band, i) in (lane.Bands ?? []).Select((b, i) => (b, i)))
            {
                var bandWhere = $"{where} bands[{i}]";
                if (band.UpToKg is not > 0 || band.PerItem is not >= 0 || band.PerKg is not >= 0)
                {
                    Problem($"{bandWhere}: upToKg must be more than 0 and perItem and perKg at least 0 (upToKg {band.UpToKg}, perItem {band.PerItem}, perKg {band.PerKg}).");
                    ok = false;
                    continue;
                }
                if (band.PerItem == 0 && band.PerKg == 0)
                {
                    Problem($"{bandWhere}: costs nothing (perItem and perKg are both 0).");
                    ok = false;
                }
                if (bands.Count > 0 && band.UpToKg <= bands[^1].UpToKg)
                {
                    Problem($"{bandWhere}: upToKg {band.UpToKg} does not exceed the previous band's {bands[^1].UpToKg}.");
                    ok = false;
                }
                else if (bands.Count > 0 && band.PerItem + (band.PerKg * bands[^1].UpToKg) < bands[^1].PerItem.Amount + (bands[^1].PerKg.Amount * bands[^1].UpToKg))
                {
                    // Within a band the price only grows (perKg >= 0); across an edge it must not drop either.
                    Problem($"{bandWhere}: a parcel just above {bands[^1].UpToKg} kg would cost less than one of {bands[^1].UpToKg} kg.");
                    ok = false;
                }
                if (currency != default && (!FitsMinorUnits(band.PerItem.Value, currency) || !FitsMinorUnits(band.PerKg.Value, currency)))
                {
                    Problem($"{bandWhere}: a price has more decimals than {currency} allows.");
                    ok = false;
                }
                bands.Add(new WeightBand(band.UpToKg.Value, new Money(band.PerItem.Value, currency), new Money(band.PerKg.Value, currency)));
            }
            if (limits is not null && bands.Count > 0 && bands[^1].UpToKg < limits.MaxWeightKg)
            {
                Problem($"{where}: the last band ends at {bands[^1].UpToKg} kg, below the service's maxWeightKg ({limits.MaxWeightKg}).");
                ok = false;
            }
            if (!_transit.TryGetValue(lane.Transit ?? "", out var transit))
            {
                Problem($"{where}: transit profile '{lane.Transit}' is unknown.");
                ok = false;
            }
            else
            {
                foreach (var stage in RequiredStages[kind].Where(s => !transit.Stages.ContainsKey(s)))
                {
                    Problem($"{where}: transit profile '{transit.Id}' lacks the {stage} stage, which a {kind} lane goes through.");
                    ok = false;
                }
                // A promise shorter than the median transit would be broken more often than kept.
                if (lane.PromiseDays is >= 1 && lane.PromiseDays.Value * 24 < transit.MedianHours)
                {
                    Problem($"{where}: promiseDays {lane.PromiseDays} is shorter than the median transit ({transit.MedianHours} hours).");
                    ok = false;
                }
            }
            if (!_exceptions.TryGetValue(lane.Exceptions ?? "", out var exceptions))
            {
                Problem($"{where}: exception profile '{lane.Exceptions}' is unknown.");
                ok = false;
            }
            return ok ? new SandboxLane(origin, zone, lane.PromiseDays!.Value, bands, transit!, exceptions!) : null;
        }

        /// <summary>Coherence across services: every line-haul origin and destination has a domestic carrier for the first or last mile.</summary>
        private void CheckNetwork()
        {
            foreach (var service in _services.Where(s => s.Kind is SandboxServiceKind.LineHaulAir or SandboxServiceKind.LineHaulSea))
            {
                foreach (var (origin, lanes) in service.Lanes)
                {
                    if (!_services.Any(s => s.Kind == SandboxServiceKind.LastMile && s.DeliversIn == origin))
                    {
                        Problem($"service '{service.Id}': origin {origin} has no last-mile service to carry the first mile to the hub.");
                    }
                    foreach (var country in lanes.ZoneSet.Zones.Where(z => lanes.Served.ContainsKey(z.Id)).SelectMany(z => z.Countries).Distinct())
                    {
                        if (!_services.Any(s => s.Kind == SandboxServiceKind.LastMile && s.DeliversIn == country))
                        {
                            Problem($"service '{service.Id}' origin {origin}: destination {country} has no last-mile service.");
                        }
                    }
                }
            }
            foreach (var carrier in _carriers.Values.Where(c => !_services.Any(s => s.CarrierCode == c.Code)))
            {
                Problem($"carrier '{carrier.Code}': has no service.");
            }
        }

        private void CheckExamples(SandboxCatalogue catalogue)
        {
            foreach (var carrier in catalogue.Carriers.Where(c => !catalogue.Numbers.IsValid(c.Code, c.TrackingNumber.Example)))
            {
                Problem($"carrier '{carrier.Code}' trackingNumber: the example '{carrier.TrackingNumber.Example}' is not a valid number of its format.");
            }
        }
    }
}
