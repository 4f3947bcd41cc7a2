using System.Text.Json.Nodes;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Shipping.Sandbox;
using Waybill.Tracking.Detection;
using Xunit;

namespace Waybill.Tests.Shipping;

public sealed class SandboxCatalogueTests
{
    private static readonly string[] Origins = ["CN", "HK", "GB", "US", "DE"];

    private static SandboxCatalogue Catalogue => SandboxCatalogue.Default;

    private static CarrierRegistry Registry => CarrierRegistry.Default;

    public static TheoryData<string> MainOrigins => [.. Origins];

    // ---- The shipped catalogue ----

    [Fact]
    public void The_shipped_catalogue_loads_with_posts_express_line_haul_and_last_mile_for_the_main_lanes()
    {
        Assert.Equal(new DateOnly(2026, 11, 25), Catalogue.EffectiveFrom);
        foreach (var origin in Origins.Select(CountryCode.Parse))
        {
            var from = Catalogue.ServicesFrom(origin);
            Assert.Contains(from, s => s.Kind == SandboxServiceKind.PostalSmallPacket && Catalogue.CarrierOf(s).HomeCountry == origin);
            Assert.Contains(from, s => s.Kind == SandboxServiceKind.PostalParcel && Catalogue.CarrierOf(s).HomeCountry == origin);
            Assert.Contains(from, s => s.Kind == SandboxServiceKind.Express && Catalogue.CarrierOf(s).Kind == SandboxCarrierKind.Express);
            Assert.Contains(from, s => s.Kind == SandboxServiceKind.LineHaulAir);
            Assert.NotEmpty(Catalogue.LastMileIn(origin)); // the first mile to the line-haul hub
        }
        Assert.Contains(Catalogue.Services, s => s.Kind == SandboxServiceKind.LineHaulSea);
        foreach (var country in new[] { "US", "GB", "DE", "FR", "ES", "IT", "CA", "AU", "JP" })
        {
            Assert.NotEmpty(Catalogue.LastMileIn(CountryCode.Parse(country)));
        }
    }

    [Fact]
    public void Sandbox_carrier_codes_are_never_a_real_carriers_code_or_alias()
    {
        foreach (var carrier in Catalogue.Carriers)
        {
            Assert.StartsWith("sbx-", carrier.Code, StringComparison.Ordinal);
            Assert.Null(Registry.Canonical(carrier.Code));
            Assert.Null(Registry.Canonical(carrier.Name));
        }
    }

    [Theory]
    [MemberData(nameof(MainOrigins))]
    public void Every_destination_of_the_postal_code_data_is_served_or_explicitly_not_served_by_the_posts_of(string origin)
    {
        var from = CountryCode.Parse(origin);
        var postal = Catalogue.ServicesFrom(from)
            .Where(s => s.Kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel).ToList();
        Assert.NotEmpty(postal);
        Assert.Equal(250, SandboxCatalogue.Destinations.Count);

        var served = 0;
        foreach (var destination in SandboxCatalogue.Destinations)
        {
            var answers = postal.Select(s => (Zone: Catalogue.ZoneOf(s, from, destination, out var reason), Reason: reason)).ToList();
            Assert.All(answers, a => Assert.True(a.Zone is not null ^ a.Reason is not null, $"{destination}: a zone or a reason, never both or neither"));
            served += answers.Any(a => a.Zone is not null) ? 1 : 0;
        }

        Assert.True(served >= 220, $"Only {served} of 250 destinations are served by the posts of {origin}.");
        Assert.All(postal, s => Assert.Null(Catalogue.ZoneOf(s, from, from, out _)));
    }

    [Fact]
    public void Zones_are_found_per_origin_and_refusals_say_why()
    {
        var packet = Service("sbx-post-cn-packet-tracked");
        Assert.Equal("united-states", Catalogue.ZoneOf(packet, Country("CN"), Country("US"), out var reason)?.Id);
        Assert.Null(reason);
        Assert.Equal("europe", Catalogue.ZoneOf(packet, Country("CN"), Country("FR"), out _)?.Id);

        Assert.Null(Catalogue.ZoneOf(packet, Country("CN"), Country("CN"), out reason));
        Assert.Contains("domestic", reason, StringComparison.Ordinal);
        Assert.Null(Catalogue.ZoneOf(packet, Country("CN"), Country("KP"), out reason));
        Assert.Contains("embargo", reason, StringComparison.Ordinal);
        Assert.Null(Catalogue.ZoneOf(packet, Country("GB"), Country("FR"), out reason));
        Assert.Contains("does not ship from GB", reason, StringComparison.Ordinal);

        var express = Service("sbx-express-worldwide");
        Assert.Equal("north-america", Catalogue.ZoneOf(express, Country("US"), Country("CA"), out _)?.Id);
        Assert.Null(Catalogue.ZoneOf(express, Country("US"), Country("CU"), out reason));
        Assert.Contains("OFAC", reason, StringComparison.Ordinal);
        Assert.NotNull(Catalogue.ZoneOf(express, Country("DE"), Country("CU"), out _));

        var ecom = Service("sbx-ecom-standard");
        Assert.Null(Catalogue.ZoneOf(ecom, Country("CN"), Country("KE"), out reason));
        Assert.Contains("zone africa", reason, StringComparison.Ordinal);

        var local = Service("sbx-local-us-ground");
        Assert.Equal(SandboxCatalogue.DomesticZone, Catalogue.ZoneOf(local, Country("CN"), Country("US"), out _)?.Id);
        Assert.Null(Catalogue.ZoneOf(local, Country("CN"), Country("CA"), out reason));
        Assert.Contains("delivers only in US", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_the_eu_a_lane_has_no_customs_stages_and_no_customs_holds()
    {
        var lane = Catalogue.LaneOf(Service("sbx-post-de-parcel"), Country("DE"), Country("FR"), out _)!;

        Assert.DoesNotContain(TransitStage.ExportCustoms, lane.Transit.Stages.Keys);
        Assert.DoesNotContain(TransitStage.ImportCustoms, lane.Transit.Stages.Keys);
        Assert.Equal(0, lane.Exceptions.CustomsHold);
        Assert.Contains(TransitStage.ImportCustoms, Catalogue.LaneOf(Service("sbx-post-de-parcel"), Country("DE"), Country("GB"), out _)!.Transit.Stages.Keys);
    }

    [Fact]
    public void Every_lane_gives_p50_at_most_p90_and_a_promise_no_shorter_than_the_median_transit()
    {
        var lanes = Catalogue.Services.SelectMany(s => s.Lanes.Values.SelectMany(o => o.Served.Values)).ToList();

        Assert.True(lanes.Count > 200, $"Only {lanes.Count} lanes.");
        Assert.All(lanes, l => Assert.All(l.Transit.Stages.Values, t => Assert.InRange(t.P50Hours, 0.1, t.P90Hours)));
        Assert.All(lanes, l => Assert.True(l.PromiseDays * 24 >= l.Transit.MedianHours));
        Assert.All(lanes, l => Assert.InRange(l.Exceptions.Lost, 0, 0.05));
    }

    [Fact]
    public void A_lane_prices_the_chargeable_weight_in_its_band_in_the_carriers_currency()
    {
        var lane = Catalogue.LaneOf(Service("sbx-express-worldwide"), Country("CN"), Country("DE"), out _)!;
        var (first, second) = (lane.Bands[0], lane.Bands[1]);

        Assert.Equal("USD", lane.PriceOf(0.5m).Currency.Code);
        Assert.Equal(first.PerItem.Amount + (first.PerKg.Amount * 0.5m), lane.PriceOf(0.5m).Amount);
        Assert.Equal(second.PerItem.Amount + (second.PerKg.Amount * 1.5m), lane.PriceOf(1.5m).Amount);
        Assert.Same(lane.Bands[^1], lane.BandFor(500m));
        Assert.Equal(1.5m, Service("sbx-express-worldwide").ChargeableWeight.Round(1.01m));
        Assert.Equal(0.05m, Service("sbx-post-cn-packet-tracked").ChargeableWeight.Round(0.012m));
    }

    [Fact]
    public void Postal_small_packets_refuse_lithium_batteries_on_their_own_and_aerosols_and_express_takes_batteries_in_equipment_only()
    {
        foreach (var packet in Catalogue.Services.Where(s => s.Kind == SandboxServiceKind.PostalSmallPacket))
        {
            Assert.Equal(["UN3480", "UN3090", "aerosol"], packet.Restrictions.Refused(["UN3480", "UN3090", "aerosol", "magnet"]));
        }
        var express = Service("sbx-express-worldwide").Restrictions;
        Assert.True(express.Accepts("UN3481"));
        Assert.False(express.Accepts("UN3480"));
        Assert.True(Service("sbx-oceanway-consolidated").Restrictions.Accepts("UN3480"));
        Assert.All(Catalogue.Services, s => Assert.Equal(
            DangerousGoods.Values.Order(StringComparer.Ordinal),
            s.Restrictions.DangerousGoodsAccepted.Concat(s.Restrictions.DangerousGoodsRefused).Order(StringComparer.Ordinal)));
    }

    // ---- Validation at load ----

    [Fact]
    public void The_minimal_catalogue_the_validation_tests_break_is_itself_valid()
    {
        var catalogue = LoadJson(MinimalCatalogue());

        Assert.Equal(4, catalogue.Services.Count);
    }

    public static TheoryData<string> Breakages => [.. Breaks.Keys];

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_bad_catalogue_is_refused_with_a_message_naming_the_item(string breakage)
    {
        var (breakIt, expected) = Breaks[breakage];
        var json = MinimalCatalogue();
        breakIt(json);

        var error = Assert.Throws<InvalidDataException>(() => LoadJson(json));

        foreach (var fragment in expected)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"effectiveFrom\":\"2026-11-25\",")]
    [InlineData("\"any\":{\"customs_hold\":0.01,\"failed_attempt\":0.02,\"lost\":0.004,\"damaged\":0.002,\"refused\":0.004,\"returned\":0.008},")]
    public void A_key_given_twice_is_refused(string duplicate)
    {
        var json = MinimalCatalogue().ToJsonString();
        Assert.Contains(duplicate.TrimEnd(','), json, StringComparison.Ordinal); // the entry the test repeats is really there
        var at = json.IndexOf(duplicate[..(duplicate.IndexOf(':', StringComparison.Ordinal) + 1)], StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => LoadText(json.Insert(at, duplicate)));

        Assert.Contains("not a sandbox catalogue", error.Message, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, (Action<JsonObject> Break, string[] Expected)> Breaks = new()
    {
        ["unknown carrier"] = (j => Services(j)[0]!["carrier"] = "sbx-nope", ["service 'sbx-post-cn-packet'", "carrier 'sbx-nope' is unknown"]),
        ["destination missing from a postal service"] = (j => Remove(j["regions"]!["world"]!.AsArray(), "FR"),
            ["service 'sbx-post-cn-packet' origin CN: destination FR is in no zone", "notServed"]),
        ["unknown country"] = (j => j["zoneSets"]!["linehaul-from-cn"]!["zones"]![0]!["countries"] = new JsonArray("QQ"),
            ["zone set 'linehaul-from-cn' zone 'us'", "'QQ' is not an ISO 3166-1"]),
        ["lower-case country"] = (j => Carriers(j)[0]!["homeCountry"] = "cn", ["carrier 'sbx-post-cn' homeCountry", "'cn'"]),
        ["unknown currency"] = (j => Carriers(j)[0]!["currency"] = "XYZ", ["carrier 'sbx-post-cn' currency", "'XYZ' is not an ISO 4217"]),
        ["price currency other than the carrier's"] = (j => Services(j)[0]!["currency"] = "USD", ["service 'sbx-post-cn-packet'", "CNY, not USD"]),
        ["negative price"] = (j => Lane(j)["bands"]![0]!["perKg"] = -1, ["service 'sbx-post-cn-packet' origin CN zone 'world' bands[0]"]),
        ["empty bands"] = (j => Lane(j)["bands"] = new JsonArray(), ["service 'sbx-post-cn-packet' origin CN zone 'world': bands are empty"]),
        ["bands out of order"] = (j => Lane(j)["bands"]!.AsArray().Add(Band(1, 1, 1)), ["zone 'world' bands[1]: upToKg 1 does not exceed"]),
        ["a heavier parcel costing less"] = (j => Lane(j)["bands"] = new JsonArray(Band(1, 10, 10), Band(2, 1, 1)),
            ["zone 'world' bands[1]: a parcel just above 1 kg would cost less than one of 1 kg"]),
        ["last band below the weight limit"] = (j => Lane(j)["bands"]![0]!["upToKg"] = 1, ["zone 'world': the last band ends at 1 kg"]),
        ["too many decimals for the currency"] = (j => Lane(j)["bands"]![0]!["perItem"] = 1.234, ["bands[0]: a price has more decimals than CNY allows"]),
        ["p90 below p50"] = (j => j["transitProfiles"]!["postal"]!["line_haul"] = new JsonArray(60, 30), ["transit profile 'postal' stage 'line_haul': p90 (30) is below p50 (60)"]),
        ["unknown stage"] = (j => j["transitProfiles"]!["postal"]!["teleport"] = new JsonArray(1, 2), ["transit profile 'postal': 'teleport' is not a stage"]),
        ["lane without a stage its kind needs"] = (j => j["transitProfiles"]!["postal"]!.AsObject().Remove("last_mile"), ["lacks the LastMile stage"]),
        ["probability above 1"] = (j => j["exceptionProfiles"]!["any"]!["lost"] = 1.5, ["exception profile 'any': lost = 1.5 is not a probability"]),
        ["negative probability"] = (j => j["exceptionProfiles"]!["any"]!["refused"] = -0.1, ["exception profile 'any': refused = -0.1 is not a probability"]),
        ["missing exception"] = (j => j["exceptionProfiles"]!["any"]!.AsObject().Remove("damaged"), ["exception profile 'any': 'damaged' is missing"]),
        ["unknown dangerous good"] = (j => Goods(j)["refused"]!.AsArray().Add("UN9999"), ["restriction profile 'postal': 'UN9999' is not a dangerous-goods value"]),
        ["dangerous good neither accepted nor refused"] = (j => Remove(Goods(j)["refused"]!.AsArray(), "aerosol"), ["restriction profile 'postal': dangerous good 'aerosol' is neither"]),
        ["dangerous good accepted and refused"] = (j => Goods(j)["accepted"]!.AsArray().Add("UN3480"), ["restriction profile 'postal': dangerous good 'UN3480' is listed more than once"]),
        ["a real carrier's code"] = (j => Carriers(j)[1]!["code"] = "yunexpress", ["carrier 'yunexpress': a sandbox carrier code is 'sbx-'"]),
        ["a real carrier's number prefix"] = (j => Carriers(j)[1]!["trackingNumber"]!["prefix"] = "YT", ["carrier 'sbx-air' trackingNumber: prefix 'YT' must be 'SBX'"]),
        ["a prefix shared by two carriers"] = (j => Carriers(j)[2]!["trackingNumber"]!["prefix"] = "SBXAL", ["carrier 'sbx-local-us' trackingNumber: prefix 'SBXAL' is already carrier 'sbx-air''s"]),
        ["an example failing its check digit"] = (j => Carriers(j)[1]!["trackingNumber"]!["example"] = "SBXAL01234567890", ["carrier 'sbx-air' trackingNumber: the example 'SBXAL01234567890'"]),
        ["an S10 country other than the post's"] = (j => Carriers(j)[0]!["trackingNumber"]!["country"] = "HK", ["carrier 'sbx-post-cn' trackingNumber: S10 numbers carry the issuing post's country, CN, not HK"]),
        ["an S10 service letter S10 refuses"] = (j => Services(j)[0]!["s10ServiceIndicator"] = "SX", ["service 'sbx-post-cn-packet': s10ServiceIndicator 'SX'"]),
        ["a country in two zones"] = (j => Zones(j, "world-from-cn").Add(new JsonObject { ["id"] = "us", ["name"] = "US", ["countries"] = new JsonArray("US") }),
            ["zone set 'world-from-cn': US is in zone 'world' and in zone 'us'"]),
        ["a country in a zone and not served"] = (j => j["zoneSets"]!["world-from-cn"]!["notServed"]![0]!["countries"]!.AsArray().Add("JP"),
            ["zone set 'world-from-cn': JP is in zone 'world' and listed as not served"]),
        ["an embargoed country in a region"] = (j => j["regions"]!["world"]!.AsArray().Add("KP"), ["region 'world': KP is embargoed"]),
        ["unknown region"] = (j => Zones(j, "world-from-cn")[0]!["regions"]!.AsArray().Add("atlantis"), ["zone set 'world-from-cn' zone 'world': region 'atlantis' is unknown"]),
        ["unknown zone set"] = (j => Services(j)[0]!["origins"]!["CN"] = "nowhere", ["service 'sbx-post-cn-packet' origin CN: zone set 'nowhere' is unknown"]),
        ["a zone without a lane"] = (j => Lanes(j).Remove("world"), ["service 'sbx-post-cn-packet' origin CN zone 'world': no lane"]),
        ["a lane for an unknown zone"] = (j => Lanes(j)["moon"] = new JsonObject { ["notServed"] = "too far" }, ["'moon' is not a zone of zone set 'world-from-cn'"]),
        ["a promise shorter than the median transit"] = (j => Lane(j)["promiseDays"] = 2, ["zone 'world': promiseDays 2 is shorter than the median transit"]),
        ["unknown transit profile"] = (j => Lane(j)["transit"] = "warp", ["zone 'world': transit profile 'warp' is unknown"]),
        ["unknown restriction profile"] = (j => Services(j)[0]!["restrictions"] = "none", ["service 'sbx-post-cn-packet': restriction profile 'none' is unknown"]),
        ["a line-haul destination without a last mile"] = (j => j["zoneSets"]!["linehaul-from-cn"]!["zones"]![0]!["countries"]!.AsArray().Add("GB"),
            ["service 'sbx-air-consolidated' origin CN: destination GB has no last-mile service"]),
        ["a service kind its carrier does not run"] = (j => Services(j)[1]!["kind"] = "express", ["service 'sbx-air-consolidated': a LineHaul carrier does not run express services"]),
        ["an unknown field"] = (j => Services(j)[0]!["colour"] = "red", ["colour"]),
        ["a last-mile service with a customs document"] = (j => Services(j)[2]!["customsDocument"] = "CN23", ["service 'sbx-local-us-ground': a cross-border service names its customsDocument"]),
        ["a negative limit"] = (j => Services(j)[0]!["limits"]!["maxLengthCm"] = -60, ["service 'sbx-post-cn-packet' limits: maxLengthCm must be more than 0"]),
    };

    // ---- Numbers ----

    [Fact]
    public void Check_digits_match_published_vectors()
    {
        Assert.Equal('5', SandboxNumbers.S10CheckDigit("12345678"));                  // UPU S10 example RB123456785GB
        Assert.Equal('3', SandboxNumbers.LuhnCheckDigit("7992739871"));              // ISO/IEC 7812-1 example 79927398713
        Assert.Equal('0', SandboxNumbers.Iso7064Mod11And10CheckDigit("6943515153")); // ISO 7064 MOD 11,10: Croatian OIB 69435151530
    }

    [Fact]
    public void Numbers_formatted_from_serials_pass_their_own_check_and_a_changed_digit_fails()
    {
        var numbers = Catalogue.Numbers;
        foreach (var carrier in Catalogue.Carriers)
        {
            var services = Catalogue.Services.Where(s => s.CarrierCode == carrier.Code).ToList();
            foreach (var serial in Serials(carrier.TrackingNumber.MaxSerial, 300))
            {
                var number = carrier.TrackingNumber.Scheme == NumberScheme.S10
                    ? numbers.FormatFor(services[(int)(serial % services.Count)].Id, serial, carrier.HomeCountry)
                    : numbers.Format(carrier.Code, serial);
                Assert.Equal(carrier.TrackingNumber.Length, number.Length);
                Assert.True(numbers.IsValid(carrier.Code, number), $"{carrier.Code}: {number} fails its own check");
                Assert.Same(carrier, numbers.IssuerOf(number));

                // S10 maps two remainders to one check digit, so not every changed serial digit is caught; a changed check
                // digit always is. Luhn and ISO 7064 MOD 11,10 catch every single changed digit.
                int[] digits = carrier.TrackingNumber.Scheme == NumberScheme.S10
                    ? [10]
                    : Enumerable.Range(carrier.TrackingNumber.Prefix!.Length, carrier.TrackingNumber.SerialDigits + 1).ToArray();
                foreach (var position in digits)
                {
                    var changed = number.ToCharArray();
                    changed[position] = (char)('0' + ((changed[position] - '0' + 1 + (int)(serial % 9)) % 10));
                    Assert.False(numbers.IsValid(carrier.Code, new string(changed)), $"{carrier.Code}: {new string(changed)} (from {number}) passes");
                }
            }
        }
    }

    [Fact]
    public void Numbers_refuse_what_they_cannot_issue()
    {
        var numbers = Catalogue.Numbers;

        Assert.Throws<ArgumentException>(() => numbers.Format("sbx-post-cn", 1));
        Assert.Throws<ArgumentException>(() => numbers.FormatFor("sbx-post-cn-parcel", 1, Country("HK")));
        Assert.Throws<ArgumentOutOfRangeException>(() => numbers.FormatFor("sbx-post-cn-parcel", 100_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => numbers.Format("sbx-express", -1));
        Assert.Throws<ArgumentException>(() => numbers.IsValid("dhl", "1234567890"));
        Assert.Equal("CS000000425CN", numbers.FormatFor("sbx-post-cn-parcel", 42));
        Assert.False(numbers.IsValid("sbx-post-hk", "CS000000425CN"));
        Assert.False(numbers.IsValid("sbx-post-cn", "RB000000426CN")); // not an indicator of sbx-post-cn's services
        Assert.False(numbers.IsValid("sbx-ecom", numbers.Format("sbx-express", 42)));
    }

    [Fact]
    public void Sandbox_s10_numbers_are_reported_as_s10_by_detection_and_nothing_else()
    {
        foreach (var service in Catalogue.Services.Where(s => s.S10ServiceIndicator is not null))
        {
            foreach (var serial in Serials(99_999_999, 200))
            {
                var number = Catalogue.Numbers.FormatFor(service.Id, serial);
                Assert.Equal(["s10"], Registry.CodesOf(Registry.Detect(number)));
                var candidate = Assert.Single(Registry.Candidates(number));
                Assert.True(candidate.CheckDigitValid && candidate.Compliant, $"{number}: {candidate}");
            }
        }
    }

    [Fact]
    public void No_sandbox_non_postal_number_matches_any_real_courier_format()
    {
        var checkedNumbers = 0;
        foreach (var carrier in Catalogue.Carriers.Where(c => c.TrackingNumber.Scheme == NumberScheme.Sandbox))
        {
            foreach (var serial in Serials(carrier.TrackingNumber.MaxSerial, 5000))
            {
                var number = Catalogue.Numbers.Format(carrier.Code, serial);
                var candidates = Registry.Candidates(number);
                Assert.True(candidates.Count == 0, $"{number} matches {string.Join(", ", candidates.Select(c => $"{c.Courier}/{c.FormatId}"))}");
                checkedNumbers++;
            }
        }
        Assert.True(checkedNumbers > 50_000, $"Only {checkedNumbers} numbers were checked.");
    }

    // ---- Helpers ----

    private static SandboxService Service(string id) => Catalogue.FindService(id) ?? throw new InvalidOperationException($"No service {id}.");

    private static CountryCode Country(string code) => CountryCode.Parse(code);

    /// <summary>The edges of the range, small serials, and pseudo-random ones spread over the range (seeded: runs repeat).</summary>
    private static IEnumerable<long> Serials(long max, int count)
    {
        var random = new Random(20261125);
        long[] fixedOnes = [0, 1, 9, 10, 42, 99, 100, 12345678, max / 2, max - 1, max];
        return fixedOnes.Where(s => s <= max).Concat(Enumerable.Range(0, count).Select(_ => random.NextInt64(max + 1))).Distinct();
    }

    private static SandboxCatalogue LoadJson(JsonObject json) => LoadText(json.ToJsonString());

    private static SandboxCatalogue LoadText(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sandbox-catalogue-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            return SandboxCatalogue.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static JsonArray Carriers(JsonObject json) => json["carriers"]!.AsArray();

    private static JsonArray Services(JsonObject json) => json["services"]!.AsArray();

    private static JsonObject Lanes(JsonObject json) => Services(json)[0]!["lanes"]!["CN"]!.AsObject();

    private static JsonObject Lane(JsonObject json) => Lanes(json)["world"]!.AsObject();

    private static JsonArray Zones(JsonObject json, string set) => json["zoneSets"]![set]!["zones"]!.AsArray();

    private static JsonObject Goods(JsonObject json) => json["restrictionProfiles"]!["postal"]!["dangerousGoods"]!.AsObject();

    private static JsonObject Band(decimal upToKg, decimal perItem, decimal perKg) =>
        new() { ["upToKg"] = upToKg, ["perItem"] = perItem, ["perKg"] = perKg };

    private static void Remove(JsonArray array, string value) =>
        array.Remove(array.First(n => n!.GetValue<string>() == value));

    /// <summary>
    /// A small valid catalogue: a post of CN whose one zone holds every destination but CN (not served) and KP
    /// (embargoed), a line-haul CN to US, and the two domestic carriers of its first and last mile.
    /// </summary>
    private static JsonObject MinimalCatalogue()
    {
        var world = SandboxCatalogue.Destinations.Select(c => c.Value).Where(c => c is not ("KP" or "CN")).Order(StringComparer.Ordinal);
        return JsonNode.Parse("""
            {
              "effectiveFrom": "2026-11-25",
              "embargoes": [{"country": "KP", "reason": "embargo (test)"}],
              "regions": {"world": ["__WORLD__"]},
              "zoneSets": {
                "world-from-cn": {"zones": [{"id": "world", "name": "World", "regions": ["world"]}], "notServed": [{"countries": ["CN"], "reason": "domestic"}]},
                "linehaul-from-cn": {"zones": [{"id": "us", "name": "United States", "countries": ["US"]}], "notServed": []}
              },
              "transitProfiles": {
                "postal": {"first_mile": [18, 48], "export_customs": [6, 24], "line_haul": [60, 144], "import_customs": [24, 96], "last_mile": [48, 120]},
                "air": {"export_customs": [6, 24], "line_haul": [36, 84], "import_customs": [24, 96]},
                "local": {"first_mile": [6, 18], "last_mile": [40, 96]}
              },
              "exceptionProfiles": {
                "any": {"customs_hold": 0.01, "failed_attempt": 0.02, "lost": 0.004, "damaged": 0.002, "refused": 0.004, "returned": 0.008}
              },
              "restrictionProfiles": {
                "postal": {
                  "dangerousGoods": {"accepted": ["magnet"], "refused": ["UN3480", "UN3481", "UN3090", "UN3091", "liquid", "aerosol", "powder"], "notes": {}},
                  "prohibitedContents": ["live animals"]
                }
              },
              "carriers": [
                {"code": "sbx-post-cn", "name": "Post", "kind": "postal", "homeCountry": "CN", "currency": "CNY",
                 "trackingNumber": {"scheme": "s10", "country": "CN", "example": "LS123456785CN"}},
                {"code": "sbx-air", "name": "Air", "kind": "line_haul", "homeCountry": "HK", "currency": "HKD",
                 "trackingNumber": {"scheme": "sandbox", "prefix": "SBXAL", "serialDigits": 10, "checkDigit": "iso7064_mod11_10", "example": "SBXAL01234567896"}},
                {"code": "sbx-local-us", "name": "Local US", "kind": "last_mile", "homeCountry": "US", "currency": "USD",
                 "trackingNumber": {"scheme": "sandbox", "prefix": "SBXLUS", "serialDigits": 10, "checkDigit": "luhn", "example": "SBXLUS01234567897"}},
                {"code": "sbx-local-cn", "name": "Local CN", "kind": "last_mile", "homeCountry": "CN", "currency": "CNY",
                 "trackingNumber": {"scheme": "sandbox", "prefix": "SBXLCN", "serialDigits": 10, "checkDigit": "luhn", "example": "SBXLCN01234567897"}}
              ],
              "services": [
                {"id": "sbx-post-cn-packet", "carrier": "sbx-post-cn", "name": "Packet", "kind": "postal_small_packet",
                 "origins": {"CN": "world-from-cn"}, "currency": "CNY", "s10ServiceIndicator": "LS", "customsDocument": "CN22",
                 "volumetricDivisor": null, "chargeableWeight": {"stepKg": 0.001, "minimumKg": 0.05},
                 "limits": {"maxWeightKg": 2, "maxLengthCm": 60, "maxLengthPlusGirthCm": null, "maxSumOfSidesCm": 90, "maxDeclaredValue": 2880},
                 "restrictions": "postal",
                 "lanes": {"CN": {"world": {"promiseDays": 15, "transit": "postal", "exceptions": "any", "bands": [{"upToKg": 2, "perItem": 18.4, "perKg": 92.2}]}}}},
                {"id": "sbx-air-consolidated", "carrier": "sbx-air", "name": "Air", "kind": "line_haul_air",
                 "origins": {"CN": "linehaul-from-cn"}, "currency": "HKD", "customsDocument": "commercial_invoice",
                 "volumetricDivisor": 6000, "chargeableWeight": {"stepKg": 0.1, "minimumKg": 0.1},
                 "limits": {"maxWeightKg": 30, "maxLengthCm": 120, "maxLengthPlusGirthCm": 300, "maxSumOfSidesCm": null, "maxDeclaredValue": 19500},
                 "restrictions": "postal",
                 "lanes": {"CN": {"us": {"promiseDays": 7, "transit": "air", "exceptions": "any", "bands": [{"upToKg": 30, "perItem": 3.1, "perKg": 35.9}]}}}},
                {"id": "sbx-local-us-ground", "carrier": "sbx-local-us", "name": "Local US", "kind": "last_mile",
                 "deliversIn": "US", "currency": "USD", "customsDocument": null,
                 "volumetricDivisor": 6000, "chargeableWeight": {"stepKg": 0.1, "minimumKg": 0.1},
                 "limits": {"maxWeightKg": 31.5, "maxLengthCm": 274, "maxLengthPlusGirthCm": 419, "maxSumOfSidesCm": null, "maxDeclaredValue": 5000},
                 "restrictions": "postal",
                 "lanes": {"US": {"domestic": {"promiseDays": 5, "transit": "local", "exceptions": "any", "bands": [{"upToKg": 31.5, "perItem": 4.5, "perKg": 0.9}]}}}},
                {"id": "sbx-local-cn-ground", "carrier": "sbx-local-cn", "name": "Local CN", "kind": "last_mile",
                 "deliversIn": "CN", "currency": "CNY", "customsDocument": null,
                 "volumetricDivisor": null, "chargeableWeight": {"stepKg": 0.1, "minimumKg": 0.1},
                 "limits": {"maxWeightKg": 30, "maxLengthCm": 100, "maxLengthPlusGirthCm": null, "maxSumOfSidesCm": 250, "maxDeclaredValue": 18000},
                 "restrictions": "postal",
                 "lanes": {"CN": {"domestic": {"promiseDays": 4, "transit": "local", "exceptions": "any", "bands": [{"upToKg": 30, "perItem": 8, "perKg": 2}]}}}}
              ]
            }
            """.Replace("\"__WORLD__\"", string.Join(", ", world.Select(c => $"\"{c}\"")), StringComparison.Ordinal))!.AsObject();
    }
}
