using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Shipping;

public sealed partial class SandboxNetworkTests
{
    private static SandboxNetwork Network => SandboxNetwork.Default;

    private static SandboxCatalogue Catalogue => SandboxNetwork.Default.Catalogue;

    private static readonly Lazy<IReadOnlyList<Journey>> AllRoutes = new(BuildRoutes);

    private static SandboxPlace WarehouseIn(string country) => DemoShop.Default.Warehouses.First(w => w.Country.Value == country).Place;

    private static SandboxPlace BuyerIn(string country)
    {
        var city = DemoShop.Default.Countries.First(c => c.Country.Value == country).Cities[0];
        return new SandboxPlace(CountryCode.Parse(country), city.Name, city.PostalCode, DateTimeZoneProviders.Tzdb[city.Zone]);
    }

    private static JourneyLeg Leg(string role, string serviceId, long serial) =>
        new(role, serviceId, Catalogue.Numbers.FormatFor(serviceId, serial));

    private static Journey EndToEnd(string from, string to, string serviceId, DateTimeOffset? bookedAt = null) =>
        new(bookedAt ?? SandboxSimulation.Start.AddHours(9), WarehouseIn(from), BuyerIn(to), [Leg(Rates.EndToEnd, serviceId, 1)]);

    private static Journey Consolidated(string from, string to, string firstMile, string lineHaul, string lastMile) =>
        new(SandboxSimulation.Start.AddHours(9), WarehouseIn(from), BuyerIn(to),
            [Leg(Rates.FirstMile, firstMile, 1), Leg(Rates.LineHaul, lineHaul, 2), Leg(Rates.LastMile, lastMile, 3)]);

    /// <summary>
    /// Every route the catalogue has from each demo warehouse to a city of each demo destination: the posts' and express
    /// carriers' end-to-end services, and every consolidated first mile + line haul + last mile.
    /// </summary>
    private static List<Journey> BuildRoutes()
    {
        var journeys = new List<Journey>();
        var serial = 1L;
        foreach (var warehouse in DemoShop.Default.Warehouses)
        {
            foreach (var country in DemoShop.Default.Countries.Where(c => c.Country != warehouse.Country))
            {
                var to = BuyerIn(country.Country.Value);
                var from = warehouse.Country;
                foreach (var service in Catalogue.ServicesFrom(from))
                {
                    if (service.Kind is SandboxServiceKind.PostalSmallPacket or SandboxServiceKind.PostalParcel or SandboxServiceKind.Express
                        && Catalogue.LaneOf(service, from, to.Country, out _) is not null)
                    {
                        journeys.Add(new Journey(SandboxSimulation.Start, warehouse.Place, to, [new(Rates.EndToEnd, service.Id, Catalogue.Numbers.FormatFor(service.Id, serial++))]));
                    }
                }
                foreach (var first in Catalogue.LastMileIn(from))
                {
                    foreach (var haul in Catalogue.ServicesFrom(from).Where(s => s.Kind is SandboxServiceKind.LineHaulAir or SandboxServiceKind.LineHaulSea
                        && Catalogue.LaneOf(s, from, to.Country, out _) is not null))
                    {
                        foreach (var last in Catalogue.LastMileIn(to.Country))
                        {
                            journeys.Add(new Journey(SandboxSimulation.Start, warehouse.Place, to,
                            [
                                new(Rates.FirstMile, first.Id, Catalogue.Numbers.FormatFor(first.Id, serial++)),
                                new(Rates.LineHaul, haul.Id, Catalogue.Numbers.FormatFor(haul.Id, serial++)),
                                new(Rates.LastMile, last.Id, Catalogue.Numbers.FormatFor(last.Id, serial++)),
                            ]));
                        }
                    }
                }
            }
        }
        return journeys;
    }

    private static bool IsPostal(string carrier) => Catalogue.FindCarrier(carrier)!.TrackingNumber.Scheme == NumberScheme.S10;

    /// <summary>The zone of the place an event names: the journey's start or end, else its country's hub.</summary>
    private static DateTimeZone ZoneOf(Journey journey, LocationInput location)
    {
        static bool Is(SandboxPlace place, LocationInput at) =>
            place.Country.Value == at.Country && place.City == at.City && place.PostalCode == at.PostalCode;
        if (Is(journey.From, location))
        {
            return journey.From.Zone;
        }
        if (Is(journey.To, location))
        {
            return journey.To.Zone;
        }
        var hub = Network.Places.HubOf(CountryCode.Parse(location.Country!));
        Assert.True(hub.City == location.City && location.PostalCode is null, $"{location} is neither the journey's start, its end nor a hub");
        return hub.Zone;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();

    [GeneratedRegex("^E[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex UpuCode();

    // ---- (a) Determinism ----

    [Fact]
    public void The_same_journey_and_seed_give_the_same_plan_and_another_seed_another()
    {
        var journey = Consolidated("CN", "DE", "sbx-local-cn-ground", "sbx-airlink-consolidated", "sbx-local-de-ground");

        var first = Network.Plan(journey, 42);
        var again = Network.Plan(journey, 42);
        var other = Network.Plan(journey, 43);

        Assert.NotEmpty(first.Events);
        Assert.Equal(first.Events, again.Events);
        Assert.Equal(first.Outcome, again.Outcome);
        Assert.Equal(first.Exceptions, again.Exceptions);
        Assert.Equal(first.DeliveredAt, again.DeliveredAt);
        Assert.NotEqual(first.Events.Select(e => e.At), other.Events.Select(e => e.At));
    }

    [Fact]
    public void A_postal_journey_is_reproducible_across_many_seeds_and_the_seeds_do_not_collide()
    {
        var journey = EndToEnd("CN", "US", "sbx-post-cn-parcel");
        var ends = new HashSet<DateTimeOffset>();

        for (var seed = 1UL; seed <= 200; seed++)
        {
            var plan = Network.Plan(journey, seed);
            var again = Network.Plan(journey, seed);
            Assert.Equal(plan.Events, again.Events);
            Assert.Equal((plan.Outcome, plan.DeliveredAt), (again.Outcome, again.DeliveredAt));
            ends.Add(plan.End);
        }

        Assert.True(ends.Count > 190, $"only {ends.Count} distinct ends over 200 seeds");
    }

    // ---- (b) What every plan sends ----

    [Fact]
    public void The_catalogue_routes_cover_posts_express_and_consolidated_journeys()
    {
        var routes = AllRoutes.Value;

        Assert.Contains(routes, j => j.Legs.Count == 1 && IsPostal(Catalogue.CarrierOf(Catalogue.FindService(j.Legs[0].ServiceId)!).Code));
        Assert.Contains(routes, j => j.Legs.Count == 1 && !IsPostal(Catalogue.CarrierOf(Catalogue.FindService(j.Legs[0].ServiceId)!).Code));
        Assert.Contains(routes, j => j.Legs.Count == 3 && Catalogue.FindService(j.Legs[1].ServiceId)!.Kind == SandboxServiceKind.LineHaulSea);
        Assert.Contains(routes, j => j.Legs.Count == 3 && Catalogue.FindService(j.Legs[1].ServiceId)!.Kind == SandboxServiceKind.LineHaulAir);
    }

    [Fact]
    public void Every_event_of_3000_journeys_is_mapped_in_order_at_local_time_and_handed_over_between_legs()
    {
        var routes = AllRoutes.Value;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < 3000; i++)
        {
            // Booked at every hour of the week, across the daylight-saving changes of both hemispheres.
            var journey = routes[i % routes.Count] with { BookedAt = SandboxSimulation.Start.AddMinutes(i * 317) };
            var plan = Network.Plan(journey, (ulong)i);
            outcomes[plan.Outcome] = outcomes.GetValueOrDefault(plan.Outcome) + 1;
            var why = $"journey {i}: {string.Join('+', journey.Legs.Select(l => l.ServiceId))} {journey.From.Country}->{journey.To.Country} seed {i}";
            var legOf = journey.Legs.Select((l, n) => (l.TrackingNumber, n)).ToDictionary(x => x.TrackingNumber, x => x.n);

            Assert.NotEmpty(plan.Events);
            for (var e = 0; e < plan.Events.Count; e++)
            {
                var (at, input) = plan.Events[e];
                var leg = journey.Legs[legOf[input.TrackingNumber!]];
                var carrier = Catalogue.CarrierOf(Catalogue.FindService(leg.ServiceId)!).Code;
                Assert.True(carrier == input.Carrier, $"{why}: event {e} of {leg.TrackingNumber} names {input.Carrier}, not {carrier}");
                Assert.True(EventMapping.Default.Find(carrier, input.Code!, input.Description) is not null, $"{why}: {carrier} {input.Code} is unmapped");
                if (IsPostal(carrier))
                {
                    Assert.True((UpuCode().IsMatch(input.Code!) && EventMapping.Default.Find("s10", input.Code!) is not null) || input.Code is "LOST" or "DAMAGED",
                        $"{why}: the post {carrier} sent {input.Code}");
                }
                else
                {
                    Assert.True(EventMapping.Default.Find("s10", input.Code!) is null, $"{why}: {carrier} sent the UPU code {input.Code}");
                    Assert.NotNull(EventMapping.Default.Find("sbx-express", input.Code!)); // the sandbox vocabulary
                }
                if (e > 0)
                {
                    Assert.True(at >= plan.Events[e - 1].At, $"{why}: event {e} ({input.Code}) at {at:o} is before event {e - 1} at {plan.Events[e - 1].At:o}");
                }

                Assert.True(WithOffset().IsMatch(input.OccurredAt!), $"{why}: '{input.OccurredAt}' has no UTC offset");
                var stamped = DateTimeOffset.Parse(input.OccurredAt!, CultureInfo.InvariantCulture);
                Assert.Equal(at, stamped);
                var zone = ZoneOf(journey, input.Location!);
                Assert.True(zone.GetUtcOffset(Instant.FromDateTimeOffset(at)).ToTimeSpan() == stamped.Offset,
                    $"{why}: {input.Code} at {input.Location!.City} stamped {input.OccurredAt}, but {zone.Id} is at {zone.GetUtcOffset(Instant.FromDateTimeOffset(at))} then");
            }

            for (var n = 1; n < journey.Legs.Count; n++)
            {
                var numbers = (Previous: journey.Legs[n - 1].TrackingNumber, Next: journey.Legs[n].TrackingNumber);
                var firstScan = plan.Events.ToList().FindIndex(e => e.Input.TrackingNumber == numbers.Next && e.Input.Code != "INFO");
                if (firstScan < 0)
                {
                    continue; // the journey ended on an earlier leg
                }
                var handOver = plan.Events.ToList().FindIndex(e => e.Input.TrackingNumber == numbers.Previous && e.Input.Code == "HND");
                var lastOfPrevious = plan.Events.ToList().FindLastIndex(e => e.Input.TrackingNumber == numbers.Previous);
                Assert.True(handOver >= 0 && handOver < firstScan, $"{why}: leg {n} scans at {firstScan} without a hand-over of leg {n - 1} before it");
                Assert.True(handOver == lastOfPrevious, $"{why}: leg {n - 1} scans after handing over");
            }

            var last = plan.Events[^1].Input;
            var meaning = EventMapping.Default.Find(last.Carrier!, last.Code!, last.Description)!;
            switch (plan.Outcome)
            {
                case SandboxNetwork.Delivered:
                    Assert.Equal(TrackingStatus.Delivered, meaning.Status);
                    Assert.True(Math.Abs((plan.Events[^1].At - plan.DeliveredAt!.Value).TotalSeconds) < 1, $"{why}: DLV at {plan.Events[^1].At:o}, DeliveredAt {plan.DeliveredAt:o}");
                    break;
                case SandboxNetwork.Returned:
                    Assert.True(Milestone.ReturnedToSender == meaning.Milestone, $"{why}: returned, but ends with {last.Code} '{last.Description}'");
                    Assert.Contains(SandboxNetwork.Returned, plan.Exceptions);
                    Assert.Null(plan.DeliveredAt);
                    break;
                default:
                    Assert.Equal(SandboxNetwork.Lost, plan.Outcome);
                    Assert.Equal("lost", meaning.Exception);
                    Assert.Contains(SandboxNetwork.Lost, plan.Exceptions);
                    Assert.Null(plan.DeliveredAt);
                    break;
            }
        }

        Assert.True(outcomes.GetValueOrDefault(SandboxNetwork.Delivered) > 2700, $"delivered {outcomes.GetValueOrDefault(SandboxNetwork.Delivered)} of 3000");
    }

    [Theory]
    [InlineData("CN", "US", "sbx-post-cn-parcel")]
    [InlineData("CN", "US", "sbx-ecom-standard")]
    public void A_parcel_damaged_on_its_first_mile_is_picked_up_before_it_is_reported_damaged(string from, string to, string service)
    {
        var journey = EndToEnd(from, to, service);
        var damaged = Enumerable.Range(0, 20_000).Select(i => Network.Plan(journey, (ulong)i))
            .Where(p => p.Exceptions.Contains(SandboxNetwork.Damaged)).ToList();

        Assert.NotEmpty(damaged);
        Assert.All(damaged, p => Assert.Contains(p.Events.First(e => e.Input.Code != "INFO").Input.Code, (string[])["PU", "EMA"]));
    }

    [Fact]
    public void Postal_journeys_pass_both_customs_in_upu_codes_and_express_in_the_sandbox_vocabulary()
    {
        var postal = Network.Plan(EndToEnd("CN", "US", "sbx-post-cn-parcel"), 7);
        var express = Network.Plan(EndToEnd("US", "GB", "sbx-express-worldwide"), 7);

        Assert.Equal("EMA", postal.Events[0].Input.Code);
        Assert.Contains(postal.Events, e => e.Input.Code == "EXA" && e.Input.Location!.Country == "CN");
        Assert.Contains(postal.Events, e => e.Input.Code == "EDB" && e.Input.Location!.Country == "US");
        Assert.Contains(postal.Events, e => e.Input.Code == "EDC" && e.Input.Location!.Country == "US");
        Assert.Equal(["INFO", "PU"], express.Events.Take(2).Select(e => e.Input.Code));
        Assert.Contains(express.Events, e => e.Input.Code == "EXP" && e.Input.Location!.Country == "US");
        Assert.Contains(express.Events, e => e.Input.Code == "IMP" && e.Input.Location!.Country == "GB");
    }

    // ---- (c) Exceptions at the lane's rates ----

    public static TheoryData<string, string, string[]> Lanes => new()
    {
        { "CN", "US", ["sbx-post-cn-parcel"] },
        { "CN", "BR", ["sbx-post-cn-parcel"] },
        { "HK", "US", ["sbx-ecom-standard"] },
        { "CN", "DE", ["sbx-local-cn-ground", "sbx-airlink-consolidated", "sbx-local-de-ground"] },
    };

    /// <summary>Within 4 standard deviations of a binomial count (and one for counts near zero).</summary>
    private static void AssertRate(string what, int hits, int trials, double p)
    {
        var expected = trials * p;
        var band = (4 * Math.Sqrt(trials * p * (1 - p))) + 1;
        Assert.True(Math.Abs(hits - expected) <= band,
            $"{what}: {hits} of {trials} ({(double)hits / trials:P2}); expected {expected:0.0} +/- {band:0.0} at rate {p:P2}");
    }

    [Theory]
    [MemberData(nameof(Lanes))]
    public void Exceptions_over_20000_journeys_happen_at_the_lanes_rates(string from, string to, string[] services)
    {
        const int Trials = 20_000;
        var journey = services.Length == 1
            ? EndToEnd(from, to, services[0])
            : Consolidated(from, to, services[0], services[1], services[2]);
        var lanes = journey.Legs.Select(l =>
        {
            var service = Catalogue.FindService(l.ServiceId)!;
            return Catalogue.LaneOf(service, CountryCode.Parse(from), l.Role == Rates.FirstMile ? CountryCode.Parse(from) : CountryCode.Parse(to), out _)!;
        }).ToList();
        var customs = lanes[services.Length == 1 ? 0 : 1].Exceptions;
        var delivery = lanes[^1].Exceptions;
        var postal = IsPostal(Catalogue.CarrierOf(Catalogue.FindService(services[0])!).Code);
        var (importCode, holdCode, outForDelivery) = postal ? ("EDB", "EME", "EDG") : ("IMP", "HOLD", "OFD");

        int atCustoms = 0, held = 0, lost = 0, atDoor = 0, refused = 0, returned = 0, failed = 0, damaged = 0;
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        for (var seed = 0UL; seed < Trials; seed++)
        {
            var plan = Network.Plan(journey, SplitMix64.SeedOf(seed, "rates"));
            var codes = plan.Events.Select(e => e.Input.Code).ToList();
            outcomes.Add(plan.Outcome);
            var wasHeld = plan.Exceptions.Contains(SandboxNetwork.CustomsHold);
            Assert.Equal(wasHeld, codes.Contains(holdCode));
            if (codes.Contains(importCode))
            {
                atCustoms++;
                held += wasHeld ? 1 : 0;
            }
            lost += plan.Outcome == SandboxNetwork.Lost ? 1 : 0;
            damaged += plan.Exceptions.Contains(SandboxNetwork.Damaged) ? 1 : 0;
            if (codes.Contains(outForDelivery))
            {
                atDoor++;
                var wasRefused = plan.Exceptions.Contains(SandboxNetwork.Refused);
                refused += wasRefused ? 1 : 0;
                returned += plan.Outcome == SandboxNetwork.Returned ? 1 : 0;
                failed += plan.Exceptions.Contains(SandboxNetwork.FailedAttempt) ? 1 : 0;
            }
        }

        var lostRate = 1 - lanes.Aggregate(1.0, (p, lane) => p * (1 - lane.Exceptions.Lost));
        Assert.True(atCustoms > Trials * 0.95, $"{atCustoms} of {Trials} reached import customs");
        AssertRate("customs_hold", held, atCustoms, customs.CustomsHold);
        AssertRate("lost", lost, Trials, lostRate);
        AssertRate("refused", refused, atDoor, delivery.Refused);
        AssertRate("returned", returned, atDoor, delivery.Refused + ((1 - delivery.Refused) * delivery.Returned));
        AssertRate("failed_attempt", failed, atDoor - refused,
            1 - ((1 - delivery.FailedAttempt) * (1 - delivery.Returned)));
        // A parcel damaged after it is lost is never found damaged: at most the lane's rates, at least that less the losses.
        var damagedRate = 1 - lanes.Aggregate(1.0, (p, lane) => p * (1 - lane.Exceptions.Damaged));
        Assert.InRange(damaged, (Trials * (damagedRate - lostRate)) - (4 * Math.Sqrt(Trials * damagedRate)) - 1, (Trials * damagedRate) + (4 * Math.Sqrt(Trials * damagedRate)) + 1);
        Assert.Equal([SandboxNetwork.Delivered, SandboxNetwork.Lost, SandboxNetwork.Returned], outcomes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_lane_without_customs_holds_never_holds_a_parcel()
    {
        // Inside the EU no customs stage at all: the "-eu" lanes have neither the stage nor a hold rate.
        var journey = EndToEnd("DE", "FR", "sbx-post-de-parcel");

        var plans = Enumerable.Range(0, 2000).Select(i => Network.Plan(journey, (ulong)i)).ToList();

        Assert.DoesNotContain(plans, p => p.Exceptions.Contains(SandboxNetwork.CustomsHold));
        Assert.DoesNotContain(plans, p => p.Events.Any(e => e.Input.Code is "EDB" or "EXA" or "EME"));
    }

    // ---- (d) What the posts' codes mean ----

    public static TheoryData<string> SandboxPosts => [.. Catalogue.Carriers.Where(c => c.TrackingNumber.Scheme == NumberScheme.S10).Select(c => c.Code)];

    [Theory]
    [MemberData(nameof(SandboxPosts))]
    public void A_posts_emh_is_refined_by_its_reason_and_action(string post)
    {
        var refused = EventMapping.Default.Find(post, "EMH", "Refused - Item returned to sender");
        var unclaimed = EventMapping.Default.Find(post, "EMH", "Unclaimed - Item returned to sender");
        var notHome = EventMapping.Default.Find(post, "EMH", "Addressee not available - Will attempt delivery on next working day");
        var refusedOnly = EventMapping.Default.Find(post, "EMH", "refused");
        var unknown = EventMapping.Default.Find(post, "EMH", "Something else - Nobody knows");
        var plain = EventMapping.Default.Find(post, "EMH");

        // The action's status and milestone win; the exception is the reason's (the cause), else the action's.
        Assert.Equal((TrackingStatus.Exception, Milestone.ReturnedToSender, "refused"), (refused!.Status, refused.Milestone, refused.Exception));
        Assert.Equal((TrackingStatus.Exception, Milestone.ReturnedToSender, "returned"), (unclaimed!.Status, unclaimed.Milestone, unclaimed.Exception));
        Assert.Equal((TrackingStatus.FailedAttempt, Milestone.DeliveryAttempted, (string?)null), (notHome!.Status, notHome.Milestone, notHome.Exception));
        Assert.Equal((TrackingStatus.Exception, Milestone.DeliveryAttempted, "refused"), (refusedOnly!.Status, refusedOnly.Milestone, refusedOnly.Exception));
        Assert.Equal((TrackingStatus.FailedAttempt, Milestone.DeliveryAttempted, (string?)null), (unknown!.Status, unknown.Milestone, unknown.Exception));
        Assert.Equal(plain! with { Refined = null }, unknown with { Refined = null });
        Assert.Null(refused.Refined);
        Assert.False(refused.Verified); // a refinement no source confirmed leaves the meaning unverified
    }

    [Theory]
    [MemberData(nameof(SandboxPosts))]
    public void A_sandbox_posts_own_lost_and_damaged_codes_are_exceptions(string post)
    {
        var lost = EventMapping.Default.Find(post, "LOST", "Item lost and written off");
        var damaged = EventMapping.Default.Find(post, "DAMAGED", null);

        Assert.Equal((TrackingStatus.Exception, "lost"), (lost!.Status, lost.Exception));
        Assert.Equal((TrackingStatus.Exception, "damaged"), (damaged!.Status, damaged.Exception));
        Assert.Equal(TrackingStatus.Delivered, EventMapping.Default.Find(post, "EMI")!.Status); // UPU's codes all the same
        Assert.Null(EventMapping.Default.Find("s10", "LOST")); // the posts' own, not UPU's
    }

    [Fact]
    public void The_descriptions_the_network_gives_its_posts_emh_events_are_all_refined()
    {
        var journey = EndToEnd("CN", "BR", "sbx-post-cn-packet-tracked");
        var emh = Enumerable.Range(0, 3000).SelectMany(i => Network.Plan(journey, (ulong)i).Events).Where(e => e.Input.Code == "EMH").ToList();

        Assert.NotEmpty(emh);
        Assert.All(emh, e => Assert.Null(EventMapping.Default.Find(e.Input.Carrier!, "EMH", e.Input.Description)!.Refined));
        Assert.Contains(emh, e => EventMapping.Default.Find(e.Input.Carrier!, "EMH", e.Input.Description)!.Milestone == Milestone.ReturnedToSender);
        Assert.Contains(emh, e => EventMapping.Default.Find(e.Input.Carrier!, "EMH", e.Input.Description)!.Status == TrackingStatus.FailedAttempt);
    }
}

/// <summary>(e) A plan's events, through ingest, move a booked shipment to the plan's outcome.</summary>
public abstract class SandboxNetworkIngestTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(SandboxSimulation.Start.AddHours(10));

    [Fact]
    public async Task A_plans_events_through_ingest_leave_each_booked_shipment_as_the_plan_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, _, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        var shop = DemoShop.Default;
        var warehouses = await shop.EnsureWarehousesAsync(db, _clock, ct);
        var demo = Enumerable.Range(0, 40).Select(n => shop.OrderOf(SplitMix64.SeedOf(11, $"order {n}"), $"NET-{n:D3}", warehouses)).ToList();
        var created = await new CreateOrders.Handler(db, _clock).HandleAsync(demo.Select(d => d.Input).ToList(), ct);
        Assert.All(created, c => Assert.Null(c.Error));
        var byOrder = demo.Select((d, i) => (d, created[i].Order!)).ToDictionary(x => x.Item2.Id);
        var booking = new BookShipments.Handler(db, _clock);
        var outcomes = await booking.HandleAsync(byOrder.Values.Select(x => new BookShipments.Request(x.Item2.Id, new BookingInput(x.d.Strategy))).ToList(), ct);
        var late = outcomes.Where(o => o.Error?.Code == "shipping.no_route_on_time").Select(o => new BookShipments.Request(o.OrderId, new BookingInput(BookShipment.Cheapest))).ToList();
        var booked = outcomes.Where(o => o.Shipment is not null).Concat((await booking.HandleAsync(late, ct)).Where(o => o.Shipment is not null)).ToList();
        Assert.True(booked.Count >= 30, $"only {booked.Count} of 40 demo orders booked: {string.Join(", ", outcomes.Select(o => o.Error?.Code).Distinct())}");
        Assert.Contains(booked, o => o.Shipment!.Legs.Count == 1);
        Assert.Contains(booked, o => o.Shipment!.Legs.Count == 3);

        // Each shipment its own seed, chosen so that the batch has every outcome.
        string[] wanted = [SandboxNetwork.Delivered, SandboxNetwork.Returned, SandboxNetwork.Lost];
        var plans = new List<(Guid ShipmentId, JourneyPlan Plan)>();
        for (var i = 0; i < booked.Count; i++)
        {
            var (demoOrder, order) = byOrder[booked[i].OrderId];
            var journey = DemoShop.JourneyOf(booked[i].Shipment!, demoOrder.From.Place, order, SandboxNetwork.Default.Places);
            var plan = Enumerable.Range(1, 100_000).Select(s => SandboxNetwork.Default.Plan(journey, (ulong)s)).First(p => p.Outcome == wanted[i % wanted.Length]);
            plans.Add((booked[i].Shipment!.Id, plan));
        }
        var events = plans.SelectMany(p => p.Plan.Events).OrderBy(e => e.At).Select(e => e.Input).ToList();

        var ingest = new IngestEvents.Handler(db, database.Events);
        var answers = new List<IngestEvents.Response>();
        foreach (var batch in events.Chunk(IngestEvents.MaxBatch))
        {
            var answer = await ingest.HandleAsync(new IngestEvents.Request(batch), ct);
            Assert.True(answer.IsSuccess, answer.Error?.Message);
            answers.Add(answer.Value);
        }

        Assert.Equal(events.Count, answers.Sum(a => a.Accepted));
        Assert.Equal(0, answers.Sum(a => a.Duplicates));
        Assert.Equal(0, answers.Sum(a => a.Unmatched));
        Assert.Empty(answers.SelectMany(a => a.Rejected));
        foreach (var (shipmentId, plan) in plans)
        {
            var shipment = (await new GetShipment.Handler(db).HandleAsync(shipmentId, ct)).Value;
            var timeline = (await new ListShipmentEvents.Handler(db).HandleAsync(shipmentId, ct)).Value;
            Assert.Equal(plan.Events.Count, timeline.Count);
            Assert.DoesNotContain(timeline, e => e.Unmapped || e.LegId is null);
            Assert.Equal(plan.Events[^1].Input.Code, shipment.LastEvent?.Code);
            switch (plan.Outcome)
            {
                case SandboxNetwork.Delivered:
                    Assert.Equal(("delivered", "delivered"), (shipment.Status, shipment.Milestone));
                    break;
                case SandboxNetwork.Returned:
                    Assert.Equal(("exception", "returned_to_sender"), (shipment.Status, shipment.Milestone));
                    break;
                default:
                    Assert.Equal("exception", shipment.Status);
                    Assert.Equal("lost", timeline[^1].ExceptionReason);
                    Assert.NotEqual("delivered", shipment.Milestone);
                    break;
            }
        }
    }
}

public sealed class SandboxNetworkIngestTestsOnSqlite(SqliteDatabase database) : SandboxNetworkIngestTests<SqliteDatabase>(database);

public sealed class SandboxNetworkIngestTestsOnPostgres(PostgresDatabase database) : SandboxNetworkIngestTests<PostgresDatabase>(database);
