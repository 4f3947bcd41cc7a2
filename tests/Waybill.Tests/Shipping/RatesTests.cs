using Waybill.Common;
using Waybill.ForeignExchange;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Xunit;

namespace Waybill.Tests.Shipping;

public sealed class RatesTests
{
    private static readonly DateOnly RateDay = new(2026, 2, 20);
    private static readonly Currency Eur = Currency.Parse("EUR");
    private static readonly Currency Cny = Currency.Parse("CNY");

    private static SandboxCatalogue Catalogue => SandboxCatalogue.Default;

    private static ExchangeRates Fx => ExchangeRates.Default;

    private static readonly Parcel SmallLight = new(0.3m, 20m, 15m, 5m);

    private static RateRequest Request(string to = "DE", Parcel? parcel = null, string[]? goods = null, decimal declaredEur = 30m, string currency = "EUR") =>
        new(CountryCode.Parse("CN"), CountryCode.Parse(to), [parcel ?? SmallLight], goods ?? [], new Money(declaredEur, Eur), Currency.Parse(currency), RateDay);

    private static RateResult Quote(RateRequest request) => Rates.Quote(request, Catalogue, Fx);

    [Fact]
    public void A_small_light_parcel_from_CN_to_DE_gets_postal_express_and_consolidated_routes_cheapest_first()
    {
        var result = Quote(Request());

        Assert.Contains(result.Routes, r => r.Id == "sbx-post-cn-packet-tracked" && r.Legs is [{ Role: Rates.EndToEnd, Carrier: "sbx-post-cn" }]);
        Assert.Contains(result.Routes, r => r.Id == "sbx-express-worldwide" && r.Legs is [{ Role: Rates.EndToEnd, Carrier: "sbx-express" }]);
        var consolidated = Assert.Single(result.Routes, r => r.Id == "sbx-local-cn-ground+sbx-airlink-consolidated+sbx-local-de-ground");
        Assert.Equal([Rates.FirstMile, Rates.LineHaul, Rates.LastMile], consolidated.Legs.Select(l => l.Role));
        Assert.Equal(["sbx-local-cn", "sbx-airlink", "sbx-local-de"], consolidated.Legs.Select(l => l.Carrier));
        Assert.Contains(result.Routes, r => r.Id == "sbx-local-cn-ground+sbx-oceanway-consolidated+sbx-local-de-ground");

        var totals = result.Routes.Select(r => (r.Total.Amount, r.TransitDaysP90)).ToList();
        Assert.Equal(totals.OrderBy(t => t.Amount).ThenBy(t => t.TransitDaysP90), totals);
        Assert.True(totals[0].Amount < totals[^1].Amount);
        Assert.All(result.Routes, r => Assert.Equal(Eur, r.Total.Currency));
        Assert.DoesNotContain(result.LeftOut, l => l.ServiceId is "sbx-post-cn-packet-tracked" or "sbx-express-worldwide" or "sbx-airlink-consolidated");
    }

    [Fact]
    public void A_route_total_is_the_sum_of_its_legs_converted_and_rounded_half_away_from_zero_to_the_cent()
    {
        var result = Quote(Request(parcel: new Parcel(1.234m, 30m, 20m, 10m)));

        Assert.NotEmpty(result.Routes);
        foreach (var route in result.Routes)
        {
            foreach (var leg in route.Legs)
            {
                var exact = Fx.Convert(leg.Price, Eur, RateDay).Amount;
                Assert.Equal(decimal.Round(exact, 2, MidpointRounding.AwayFromZero), leg.PriceInRequestCurrency.Amount);
                Assert.Equal(Eur, leg.PriceInRequestCurrency.Currency);
            }
            Assert.Equal(route.Legs.Sum(l => l.PriceInRequestCurrency.Amount), route.Total.Amount);
        }
    }

    [Fact]
    public void The_tracked_small_packet_to_DE_costs_its_band_price_converted_at_the_ECB_rate()
    {
        var route = Assert.Single(Quote(Request()).Routes, r => r.Id == "sbx-post-cn-packet-tracked");

        var leg = Assert.Single(route.Legs);
        Assert.Equal(0.3m, leg.ChargeableWeightKg);
        var service = Catalogue.FindService("sbx-post-cn-packet-tracked")!;
        var lane = Catalogue.LaneOf(service, CountryCode.Parse("CN"), CountryCode.Parse("DE"), out _)!;
        Assert.Equal(lane.PriceOf(0.3m), leg.Price);
        Assert.Equal(Cny, leg.Price.Currency);
        Assert.Equal(lane.PromiseDays, route.PromiseDays);
    }

    [Fact]
    public void A_parcel_over_two_kilograms_leaves_the_small_packet_services_out_for_their_weight_limit()
    {
        var result = Quote(Request(parcel: new Parcel(2.5m, 30m, 20m, 10m)));

        foreach (var id in new[] { "sbx-post-cn-packet-tracked", "sbx-post-cn-packet-registered" })
        {
            var left = Assert.Single(result.LeftOut, l => l.ServiceId == id);
            Assert.Equal(Rates.Codes.Limit, left.Code);
            Assert.StartsWith($"{id}: weight", left.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Routes, r => r.Id == id);
        }
        Assert.Contains(result.Routes, r => r.Id == "sbx-post-cn-parcel");
    }

    [Fact]
    public void A_declared_value_above_the_small_packet_limit_leaves_it_out_after_conversion_to_its_currency()
    {
        // CNY 2,880 is about EUR 350 on 2026-02-20; EUR 400 is above it, EUR 300 below.
        Assert.Contains(Quote(Request(declaredEur: 300m)).Routes, r => r.Id == "sbx-post-cn-packet-tracked");

        var left = Assert.Single(Quote(Request(declaredEur: 400m)).LeftOut, l => l.ServiceId == "sbx-post-cn-packet-tracked");
        Assert.Equal(Rates.Codes.Limit, left.Code);
        Assert.Contains("declared value", left.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_power_bank_leaves_the_posts_out_for_restriction_and_goes_by_sea_line_haul()
    {
        var result = Quote(Request(goods: ["UN3480"]));

        foreach (var id in new[] { "sbx-post-cn-packet-tracked", "sbx-post-cn-parcel", "sbx-post-cn-ems", "sbx-express-worldwide", "sbx-airlink-consolidated" })
        {
            var left = Assert.Single(result.LeftOut, l => l.ServiceId == id);
            Assert.Equal(Rates.Codes.Restriction, left.Code);
            Assert.Contains("UN3480", left.Reason, StringComparison.Ordinal);
        }
        var route = Assert.Single(result.Routes);
        Assert.Equal("sbx-local-cn-ground+sbx-oceanway-consolidated+sbx-local-de-ground", route.Id);
    }

    [Fact]
    public void An_embargoed_destination_leaves_every_service_out_with_embargo()
    {
        var result = Quote(Request(to: "KP"));

        Assert.Empty(result.Routes);
        Assert.NotEmpty(result.LeftOut);
        Assert.All(result.LeftOut, l => Assert.Equal(Rates.Codes.Embargo, l.Code));
        Assert.Contains(result.LeftOut, l => l.ServiceId == "sbx-express-worldwide");
    }

    [Fact]
    public void A_destination_no_line_haul_lands_in_has_no_consolidated_route_and_says_why()
    {
        var result = Quote(Request(to: "BR"));

        Assert.Contains(result.Routes, r => r.Id == "sbx-express-worldwide");
        Assert.DoesNotContain(result.Routes, r => r.Legs.Count > 1);
        Assert.Equal(Rates.Codes.LaneNotServed, Assert.Single(result.LeftOut, l => l.ServiceId == "sbx-airlink-consolidated").Code);
        Assert.Equal(Rates.Codes.NoConnection, Assert.Single(result.LeftOut, l => l.ServiceId == "sbx-local-cn-ground").Code);
    }

    [Fact]
    public void A_quote_currency_the_ECB_does_not_publish_leaves_every_service_out_with_currency()
    {
        var result = Quote(Request(currency: "KES"));

        Assert.Empty(result.Routes);
        Assert.Contains(result.LeftOut, l => l.ServiceId == "sbx-express-worldwide" && l.Code == Rates.Codes.Currency);
    }

    [Fact]
    public void Volumetric_weight_drives_the_chargeable_weight_of_a_bulky_light_parcel_by_express()
    {
        // 40 x 30 x 30 cm / 5000 = 7.2 kg, rounded up to the 0.5 kg step: 7.5 kg, not the 0.5 kg it weighs.
        var result = Quote(Request(parcel: new Parcel(0.5m, 40m, 30m, 30m)));

        var leg = Assert.Single(Assert.Single(result.Routes, r => r.Id == "sbx-express-worldwide").Legs);
        Assert.Equal(7.5m, leg.ChargeableWeightKg);
        var lane = Catalogue.LaneOf(Catalogue.FindService("sbx-express-worldwide")!, CountryCode.Parse("CN"), CountryCode.Parse("DE"), out _)!;
        Assert.Equal(lane.PriceOf(7.5m), leg.Price);
        Assert.NotEqual(lane.PriceOf(0.5m), leg.Price);
        // The postal parcel has no divisor and charges what the parcel weighs.
        Assert.Equal(0.5m, Assert.Single(Assert.Single(result.Routes, r => r.Id == "sbx-post-cn-parcel").Legs).ChargeableWeightKg);
    }

    [Fact]
    public void Chargeable_weight_is_summed_over_parcels_and_each_parcel_is_rounded_on_its_own()
    {
        var request = Request() with { Parcels = [new Parcel(0.3m, 20m, 15m, 5m), new Parcel(0.6m, 20m, 15m, 5m)] };

        var leg = Assert.Single(Assert.Single(Quote(request).Routes, r => r.Id == "sbx-express-worldwide").Legs);

        Assert.Equal(0.5m + 1.0m, leg.ChargeableWeightKg);
    }

    [Fact]
    public void The_same_request_gives_the_same_transit_percentiles_and_p90_is_not_below_p50()
    {
        var first = Quote(Request());
        var second = Quote(Request());

        Assert.Equal(first.Routes.Select(r => (r.Id, r.TransitDaysP50, r.TransitDaysP90)), second.Routes.Select(r => (r.Id, r.TransitDaysP50, r.TransitDaysP90)));
        Assert.All(first.Routes, r => Assert.True(r.TransitDaysP90 >= r.TransitDaysP50, $"{r.Id}: p90 {r.TransitDaysP90} < p50 {r.TransitDaysP50}"));
        var express = Assert.Single(first.Routes, r => r.Id == "sbx-express-worldwide");
        var sea = Assert.Single(first.Routes, r => r.Id.Contains("oceanway", StringComparison.Ordinal));
        Assert.True(sea.TransitDaysP50 > 3 * express.TransitDaysP50);
        // The median of a sum of lognormals lies above the sum of the stages' medians.
        var lane = Catalogue.LaneOf(Catalogue.FindService("sbx-express-worldwide")!, CountryCode.Parse("CN"), CountryCode.Parse("DE"), out _)!;
        Assert.True(express.TransitDaysP50 >= Math.Round(lane.Transit.MedianHours / 24, 1));
    }

    [Fact]
    public void A_consolidated_route_promises_the_sum_of_its_legs_promises()
    {
        var route = Assert.Single(Quote(Request()).Routes, r => r.Id == "sbx-local-cn-ground+sbx-airlink-consolidated+sbx-local-de-ground");
        var cn = CountryCode.Parse("CN");
        var de = CountryCode.Parse("DE");

        var expected = Catalogue.LaneOf(Catalogue.FindService("sbx-local-cn-ground")!, cn, cn, out _)!.PromiseDays
            + Catalogue.LaneOf(Catalogue.FindService("sbx-airlink-consolidated")!, cn, de, out _)!.PromiseDays
            + Catalogue.LaneOf(Catalogue.FindService("sbx-local-de-ground")!, cn, de, out _)!.PromiseDays;
        Assert.Equal(expected, route.PromiseDays);
    }
}
