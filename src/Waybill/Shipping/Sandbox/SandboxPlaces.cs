using System.Collections.Frozen;
using System.Text.Json;
using NodaTime;
using Waybill.Common;

namespace Waybill.Shipping.Sandbox;

/// <summary>A place a parcel passes: a city of a country, and the time zone its scans are stamped in.</summary>
public sealed record SandboxPlace(CountryCode Country, string City, string? PostalCode, DateTimeZone Zone)
{
    /// <summary>The local time of an instant here.</summary>
    public DateTimeOffset Local(DateTimeOffset instant) =>
        instant.ToOffset(Zone.GetUtcOffset(Instant.FromDateTimeOffset(instant)).ToTimeSpan());
}

/// <summary>
/// Each country's hub (its office of exchange: where international mail and freight leave and arrive) and time zone,
/// from <c>data/sandbox-network/places.json</c>; any other country takes the first zone the IANA database gives it,
/// and that zone's city as its hub.
/// </summary>
public sealed class SandboxPlaces
{
    private static readonly Lazy<SandboxPlaces> Shared = new(() => Load(ReferenceData.PathOf("sandbox-network", "places.json")));

    private static readonly Lazy<FrozenDictionary<string, string>> FirstZoneOfCountry = new(() =>
        (NodaTime.TimeZones.TzdbDateTimeZoneSource.Default.ZoneLocations ?? [])
            .GroupBy(l => l.CountryCode, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First().ZoneId, StringComparer.Ordinal));

    private readonly FrozenDictionary<CountryCode, SandboxPlace> _hubs;

    private SandboxPlaces(FrozenDictionary<CountryCode, SandboxPlace> hubs) => _hubs = hubs;

    public static SandboxPlaces Default => Shared.Value;

    public static SandboxPlaces Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var hubs = new Dictionary<CountryCode, SandboxPlace>();
        foreach (var country in document.RootElement.GetProperty("countries").EnumerateObject())
        {
            var code = CountryCode.TryCreate(country.Name, out var c, out _) ? c : throw new InvalidDataException($"{path}: '{country.Name}' is not a country code.");
            var zoneId = country.Value.GetProperty("zone").GetString()!;
            var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? throw new InvalidDataException($"{path}: {country.Name}: '{zoneId}' is not an IANA time zone.");
            hubs[code] = new SandboxPlace(code, country.Value.GetProperty("hub").GetString()!, null, zone);
        }
        return new SandboxPlaces(hubs.ToFrozenDictionary());
    }

    /// <summary>The country's hub: listed, else from its first IANA zone, else its capital unknown (the country's name, UTC).</summary>
    public SandboxPlace HubOf(CountryCode country)
    {
        if (_hubs.TryGetValue(country, out var hub))
        {
            return hub;
        }
        if (FirstZoneOfCountry.Value.TryGetValue(country.Value, out var zoneId) && DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) is { } zone)
        {
            var city = zoneId[(zoneId.LastIndexOf('/') + 1)..].Replace('_', ' ');
            return new SandboxPlace(country, city, null, zone);
        }
        return new SandboxPlace(country, CountryNames.Of(country), null, DateTimeZone.Utc);
    }

    /// <summary>The zone of a named IANA time zone, else the country's hub's.</summary>
    public DateTimeZone ZoneOf(CountryCode country, string? zoneId) =>
        zoneId is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) is { } zone ? zone : HubOf(country).Zone;
}
