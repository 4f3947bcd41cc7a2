using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;

namespace Waybill.Shipping.Sandbox;

/// <summary>One of the demo seller's origin warehouses, and the share of orders it ships.</summary>
public sealed record DemoWarehouse(string Code, string Name, string Line1, string City, string? Region, string? PostalCode, CountryCode Country, DateTimeZone Zone, int Weight)
{
    public SandboxPlace Place => new(Country, City, PostalCode, Zone);
}

/// <summary>A destination of demo orders: its share of orders, the buyers' locale and a few cities.</summary>
public sealed record DemoCountry(CountryCode Country, int Weight, string Locale, IReadOnlyList<DemoCity> Cities);

public sealed record DemoCity(string Name, string? PostalCode, string Zone);

public sealed record DemoProduct(string Sku, string Description, string HsCode, decimal WeightKg, decimal PriceEur);

/// <summary>A generated order: what to create, and how its seller books it.</summary>
public sealed record DemoOrder(OrderInput Input, string Strategy, DemoWarehouse From);

/// <summary>
/// The sandbox demo's seller (<c>data/sandbox-network/demo.json</c>): its origin warehouses, its buyers' countries and
/// cities, its products, and the orders it receives. An order is a pure function of the seed and its reference, so a
/// simulation gives the same orders whatever their number or order of generation.
/// </summary>
public sealed class DemoShop
{
    private static readonly Lazy<DemoShop> Shared = new(() => Load(ReferenceData.PathOf("sandbox-network", "demo.json")));

    private DemoShop(IReadOnlyList<DemoWarehouse> warehouses, IReadOnlyList<DemoCountry> countries, IReadOnlyList<DemoProduct> products,
        IReadOnlyList<string> givenNames, IReadOnlyList<string> familyNames, IReadOnlyList<string> streets)
    {
        Warehouses = warehouses;
        Countries = countries;
        Products = products;
        GivenNames = givenNames;
        FamilyNames = familyNames;
        Streets = streets;
    }

    public static DemoShop Default => Shared.Value;

    public IReadOnlyList<DemoWarehouse> Warehouses { get; }

    public IReadOnlyList<DemoCountry> Countries { get; }

    public IReadOnlyList<DemoProduct> Products { get; }

    public IReadOnlyList<string> GivenNames { get; }

    public IReadOnlyList<string> FamilyNames { get; }

    public IReadOnlyList<string> Streets { get; }

    /// <summary>How sellers book: mostly the default (cheapest on time), some the cheapest, a few the fastest.</summary>
    private static readonly (string Strategy, double Share)[] Strategies =
    [
        (BookShipment.CheapestOnTime, 0.55),
        (BookShipment.Cheapest, 0.30),
        (BookShipment.Fastest, 0.15),
    ];

    /// <exception cref="InvalidDataException">The file is not a valid demo file (the message names what is wrong).</exception>
    public static DemoShop Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        try
        {
            var warehouses = root.GetProperty("warehouses").EnumerateArray().Select(w => new DemoWarehouse(
                w.GetProperty("code").GetString()!,
                w.GetProperty("name").GetString()!,
                w.GetProperty("line1").GetString()!,
                w.GetProperty("city").GetString()!,
                w.GetProperty("region").GetString(),
                w.GetProperty("postalCode").GetString(),
                Country(w.GetProperty("country").GetString()),
                Zone(w.GetProperty("zone").GetString()),
                w.GetProperty("weight").GetInt32())).ToList();
            var countries = root.GetProperty("countries").EnumerateObject().Select(c => new DemoCountry(
                Country(c.Name),
                c.Value.GetProperty("weight").GetInt32(),
                c.Value.GetProperty("locale").GetString()!,
                c.Value.GetProperty("cities").EnumerateArray().Select(city =>
                {
                    var zone = city[2].GetString()!;
                    _ = Zone(zone);
                    return new DemoCity(city[0].GetString()!, city[1].GetString(), zone);
                }).ToList())).ToList();
            var products = root.GetProperty("products").EnumerateArray().Select(p => new DemoProduct(
                p.GetProperty("sku").GetString()!,
                p.GetProperty("description").GetString()!,
                p.GetProperty("hsCode").GetString()!,
                p.GetProperty("weightKg").GetDecimal(),
                p.GetProperty("priceEur").GetDecimal())).ToList();
            static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(s => s.GetString()!).ToList();
            if (warehouses.Count == 0 || countries.Count == 0 || products.Count == 0 || countries.Any(c => c.Cities.Count == 0))
            {
                throw new InvalidDataException("warehouses, countries (each with cities) and products may not be empty.");
            }
            if (warehouses.Select(w => w.Country).Distinct().Count() < 2)
            {
                throw new InvalidDataException("warehouses: at least two countries, so that every destination has a foreign origin.");
            }
            return new DemoShop(warehouses, countries, products, Strings(root.GetProperty("givenNames")), Strings(root.GetProperty("familyNames")), Strings(root.GetProperty("streets")));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }

        static CountryCode Country(string? code) =>
            CountryCode.TryCreate(code, out var c, out _) ? c : throw new InvalidDataException($"'{code}' is not a country code.");

        static DateTimeZone Zone(string? id) =>
            (id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)) ?? throw new InvalidDataException($"'{id}' is not an IANA time zone.");
    }

    /// <summary>The warehouse of a code (as created by <see cref="EnsureWarehousesAsync"/>).</summary>
    public DemoWarehouse? WarehouseOf(string code) => Warehouses.FirstOrDefault(w => w.Code == code);

    /// <summary>
    /// The tenant's demo warehouses by code: those missing are created (as <c>POST /v1/warehouses</c> would), those that
    /// exist are kept.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Guid>> EnsureWarehousesAsync(WaybillDb db, TimeProvider clock, CancellationToken ct)
    {
        var existing = await db.Warehouses.AsNoTracking().ToDictionaryAsync(w => w.Code, w => w.Id, StringComparer.Ordinal, ct);
        foreach (var w in Warehouses.Where(w => !existing.ContainsKey(w.Code)))
        {
            var added = await new AddWarehouse.Handler(db, clock).HandleAsync(
                new WarehouseInput(w.Code, w.Name, new AddressInput(w.Name, w.Line1, null, w.City, w.Region, w.PostalCode, w.Country.Value), "origin"), ct);
            if (!added.IsSuccess)
            {
                throw new InvalidDataException($"The demo warehouse {w.Code} is refused: {added.Error!.Message}");
            }
            existing[w.Code] = added.Value.Id;
        }
        return existing;
    }

    /// <summary>
    /// An order drawn from its own random stream (<paramref name="stream"/>, e.g. <see cref="SplitMix64.SeedOf"/> of
    /// the run's seed and the order's number): a buyer in one of the destination countries (by weight), one to three
    /// products, shipped from a foreign warehouse (by weight; never domestic), booked by one of the strategies.
    /// </summary>
    public DemoOrder OrderOf(ulong stream, string reference, IReadOnlyDictionary<string, Guid> warehouseIds)
    {
        ArgumentNullException.ThrowIfNull(warehouseIds);
        var random = new SplitMix64(stream);
        var country = Pick(ref random, Countries, c => c.Weight);
        var foreign = Warehouses.Where(w => w.Country != country.Country).ToList();
        var from = Pick(ref random, foreign, w => w.Weight);
        var city = country.Cities[random.NextInt(country.Cities.Count)];
        var given = GivenNames[random.NextInt(GivenNames.Count)];
        var family = FamilyNames[random.NextInt(FamilyNames.Count)];
        var name = $"{given} {family}";
        var street = $"{1 + random.NextInt(199)} {Streets[random.NextInt(Streets.Count)]}";
        var lines = new List<OrderLineInput>();
        var count = 1 + (random.Chance(0.3) ? 1 : 0) + (random.Chance(0.1) ? 1 : 0);
        foreach (var product in Products.OrderBy(_ => random.Next()).Take(count).OrderBy(p => p.Sku, StringComparer.Ordinal))
        {
            lines.Add(new OrderLineInput(product.Sku, product.Description, random.Chance(0.2) ? 2 : 1, product.PriceEur, product.HsCode,
                from.Country.Value, product.WeightKg));
        }
        var strategy = Strategies[^1].Strategy;
        var draw = random.NextUnit();
        foreach (var (s, share) in Strategies)
        {
            if (draw < share)
            {
                strategy = s;
                break;
            }
            draw -= share;
        }
        var email = $"{Ascii(given)}.{Ascii(family)}.{reference}@example.com".ToLowerInvariant();
        var input = new OrderInput(
            reference,
            new BuyerInput(name, email, null, country.Locale, city.Zone),
            new AddressInput(name, street, null, city.Name, null, city.PostalCode, country.Country.Value),
            random.Chance(0.2) ? "DDP" : "DAP",
            "EUR",
            lines,
            warehouseIds.TryGetValue(from.Code, out var id) ? id : null);
        return new DemoOrder(input, strategy, from);
    }

    private static T Pick<T>(ref SplitMix64 random, IReadOnlyList<T> items, Func<T, int> weight)
    {
        var total = items.Sum(weight);
        var draw = random.NextInt(total);
        foreach (var item in items)
        {
            draw -= weight(item);
            if (draw < 0)
            {
                return item;
            }
        }
        return items[^1];
    }

    private static string Ascii(string text) =>
        new(text.Normalize(System.Text.NormalizationForm.FormD).Where(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')).ToArray());

    /// <summary>The journey the network sees for a booked shipment: from its warehouse to the buyer's city, leg by leg.</summary>
    public static Journey JourneyOf(Tracking.Shipment shipment, SandboxPlace from, Order order, SandboxPlaces places)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(places);
        var to = new SandboxPlace(order.ShipToCountry, order.ShipToCity, order.ShipToPostalCode, places.ZoneOf(order.ShipToCountry, order.BuyerTimeZone));
        var legs = shipment.Legs.OrderBy(l => l.Sequence).Select(l => new JourneyLeg(
            l.Role switch
            {
                Tracking.LegRole.FirstMile => Rates.FirstMile,
                Tracking.LegRole.LineHaul => Rates.LineHaul,
                Tracking.LegRole.LastMile => Rates.LastMile,
                _ => Rates.EndToEnd,
            },
            l.Service ?? throw new ArgumentException($"Leg {l.TrackingNumber} has no sandbox service.", nameof(shipment)),
            l.TrackingNumber)).ToList();
        return new Journey(shipment.CreatedAt, from, to, legs);
    }
}
