using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Waybill.Tests.Support;
using Waybill.Tracking;
using Xunit;

namespace Waybill.Tests.Tracking;

/// <summary>
/// The dashboard's lane figures from shipments whose journeys the test times: transit days (median, 90th percentile) per
/// lane and ISO week of delivery, on-time against the booked window, exceptions per carrier and lane. The expected
/// figures are worked out by hand below, from the times chosen.
/// </summary>
public abstract class LanePerformanceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    // Wednesday 2026-11-25, ISO week 48. The last 4 weeks are W45 to W48: Mondays 2 Nov to 23 Nov.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    // The CN-GB parcels are booked on Monday 9 Nov (W46); the figures are asked for at Now.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Day(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static EventInput Event(string number, string carrier, string code, DateTimeOffset at, string city, string country) =>
        new(number, carrier, code, null, at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture), new LocationInput(city, null, country));

    private static async Task IngestAsync(WaybillDb db, EventWriter writer, params EventInput[] events)
    {
        var result = await new IngestEvents.Handler(db, writer).HandleAsync(new IngestEvents.Request(events), Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Empty(result.Value.Rejected);
        Assert.Equal(0, result.Value.Unmatched);
    }

    private int _serial = 51000000;

    /// <summary>A shipment registered on one S10 leg, without an order, and its events (number, code, time, city, country).</summary>
    private async Task<string> S10Async(WaybillDb db, EventWriter writer, params (string Code, DateTimeOffset At, string City, string Country)[] events)
    {
        var number = Build.S10(_serial++);
        var registered = await new RegisterShipment.Handler(db, _clock).HandleAsync(new RegisterShipment.Request(null, [new LegInput("s10", number, null)]), Ct);
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        await IngestAsync(db, writer, [.. events.Select(e => Event(number, "s10", e.Code, e.At, e.City, e.Country))]);
        return number;
    }

    /// <summary>Posted in Shenzhen <paramref name="days"/> days before delivery in Berlin, arriving in Germany on the way.</summary>
    private Task<string> DeliveredToGermanyAsync(WaybillDb db, EventWriter writer, DateTimeOffset delivered, double days) =>
        S10Async(db, writer, ("EMA", delivered.AddDays(-days), "Shenzhen", "CN"), ("EMD", delivered.AddDays(-days / 2), "Frankfurt", "DE"), ("EMI", delivered, "Berlin", "DE"));

    /// <summary>
    /// The test's data: lane CN-DE on registered S10 legs (no promise: no booking, too few deliveries to learn one), lane
    /// CN-GB booked on Sandbox Express (the booked window is the promise), lane GB-US in transit only, and a parcel whose
    /// destination nothing tells yet. Answers the tenant's context and the ISO week of the CN-GB deliveries.
    /// </summary>
    private async Task<(WaybillDb Db, int BookedWeek)> SeedAsync()
    {
        var (db, _, _) = await database.NewTenantAsync(_clock);
        await using var writer = new EventWriter(database.Storage, _clock);

        // CN-GB: four booked Sandbox Express parcels delivered 3, 4, 5 and 6 days after pick-up, the 5-day one an hour
        // after the booked window's latest, the others an hour before it; a fifth lost on the way.
        Assert.True((await new AddWarehouse.Handler(db, _clock).HandleAsync(Build.Warehouse(), Ct)).IsSuccess);
        var booked = new List<ShipmentView>();
        for (var i = 0; i < 5; i++)
        {
            var order = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order($"LP-{i}", "GB", "SW1A 1AA"), Ct);
            Assert.True(order.IsSuccess, order.Error?.Message);
            var shipment = await new BookShipment.Handler(db, _clock).HandleAsync(order.Value.Id, new BookingInput(ServiceId: "sbx-express-worldwide"), Ct);
            Assert.True(shipment.IsSuccess, shipment.Error?.Message);
            Assert.Equal("sbx-express", Assert.Single(shipment.Value.Legs).Carrier);
            booked.Add(shipment.Value);
        }
        _clock.SetUtcNow(Now);

        // CN-DE. W46 (delivered Wed 11 Nov): 2, 3, 4, 5 and 10 days (posted before the period began, on 1 Nov).
        foreach (var days in new[] { 2.0, 3, 4, 5, 10 })
        {
            await DeliveredToGermanyAsync(db, writer, Day(11, 11), days);
        }
        // W47: none. W48 (Tue 24 Nov): 6 and 8 days, the 8-day one after a failed delivery attempt (an exception).
        await DeliveredToGermanyAsync(db, writer, Day(11, 24), 6);
        var attempted = await DeliveredToGermanyAsync(db, writer, Day(11, 24), 8);
        await IngestAsync(db, writer, Event(attempted, "s10", "EMH", Day(11, 23), "Berlin", "DE"));
        // Held by German customs, not delivered: on the lane (its scan in Germany says where it goes), an exception.
        await S10Async(db, writer, ("EMA", Day(11, 12), "Shenzhen", "CN"), ("EME", Day(11, 18), "Frankfurt", "DE"));
        // Delivered before the period (W43, 20 Oct) in 3 days: in the 12 weeks, not in the 4.
        await DeliveredToGermanyAsync(db, writer, Day(10, 20), 3);

        // GB-US: in transit, no delivery yet.
        await S10Async(db, writer, ("EMA", Day(11, 19), "London", "GB"), ("EMD", Day(11, 21), "New York", "US"));
        // Only posted, no order: no destination, so on no lane.
        await S10Async(db, writer, ("EMA", Day(11, 20), "Shenzhen", "CN"));

        var latest = booked[0].ExpectedDelivery!.Latest;
        Assert.All(booked, b => Assert.Equal(latest, b.ExpectedDelivery!.Latest));
        var weeks = new List<int>();
        foreach (var (shipment, days, late) in booked.Take(4).Zip([3.0, 4, 5, 6], [false, false, true, false]))
        {
            var delivered = late ? latest.AddHours(1) : latest.AddHours(-1);
            var number = shipment.Legs[0].TrackingNumber;
            await IngestAsync(db, writer, Event(number, "sbx-express", "PU", delivered.AddDays(-days), "Shenzhen", "CN"), Event(number, "sbx-express", "DLV", delivered, "London", "GB"));
            weeks.Add(ISOWeek.GetWeekOfYear(delivered.UtcDateTime));
        }
        var lost = booked[4].Legs[0].TrackingNumber;
        await IngestAsync(db, writer, Event(lost, "sbx-express", "PU", Day(11, 10), "Shenzhen", "CN"), Event(lost, "sbx-express", "LOST", Day(11, 16), "Hong Kong", "HK"));
        Assert.True(latest.AddHours(1) < Now, $"The booked window ends {latest}, after the test's now.");
        Assert.Single(weeks.Distinct());
        return (db, weeks[0]);
    }

    [Fact]
    public async Task Transit_quantiles_on_time_and_exception_rates_come_per_lane_week_and_carrier()
    {
        database.RequireAvailable();
        var (db, bookedWeek) = await SeedAsync();
        await using var _db = db;
        // Another seller's delivery on the same lane and week is not this seller's.
        var (other, _, _) = await database.NewTenantAsync(_clock);
        await using (other)
        {
            await using var writer = new EventWriter(database.Storage, _clock);
            await DeliveredToGermanyAsync(other, writer, Day(11, 11), 30);
        }

        var result = await new GetLanePerformance.Handler(db, new DeliveryForecasts(SandboxCatalogue.Default), _clock)
            .HandleAsync(new GetLanePerformance.Request("4", null), Ct);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var r = result.Value;
        Assert.Equal(4, r.Weeks);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), r.From);
        Assert.Equal([45, 46, 47, 48], r.WeekList.Select(w => w.Number));
        Assert.Equal([new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 9), new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 23)], r.WeekList.Select(w => w.Monday));
        Assert.All(r.WeekList, w => Assert.Equal(2026, w.Year));
        Assert.Equal(["CN-DE", "CN-GB", "GB-US"], r.AllLanes);
        Assert.Equal(["CN-DE", "CN-GB", "GB-US"], r.Lanes.Select(l => l.Lane)); // most deliveries first
        Assert.Equal(11, r.Delivered);

        // CN-DE: W46 {2, 3, 4, 5, 10} days: median the 3rd, 4; 90th percentile at rank 0.9 x 4 = 3.6, 5 + 0.6 x (10 - 5) = 8.
        // W48 {6, 8}: median 7; 90th at rank 0.9, 6 + 0.9 x 2 = 7.8. All seven {2, 3, 4, 5, 6, 8, 10}: median 5; 90th at
        // rank 5.4, 8 + 0.4 x 2 = 8.8. No promise on any: no on-time rate.
        var de = r.Lanes[0];
        Assert.Equal((8, 2), (de.Shipments, de.WithException)); // the seven delivered and the one held by customs; it and the failed attempt
        AssertFigures(de.Weeks[0], 0, null, null);
        AssertFigures(de.Weeks[1], 5, 4, 8);
        AssertFigures(de.Weeks[2], 0, null, null);
        AssertFigures(de.Weeks[3], 2, 7, 7.8);
        AssertFigures(de.Total, 7, 5, 8.8);
        Assert.Equal(0, de.Total.Promised);
        Assert.Null(de.Total.OnTimeRate);

        // CN-GB: {3, 4, 5, 6} days: median 4.5; 90th at rank 2.7, 5 + 0.7 = 5.7. Three of four by the booked latest.
        var gb = r.Lanes[1];
        Assert.Equal((5, 1), (gb.Shipments, gb.WithException));
        Assert.Equal(0.2, gb.ExceptionRate);
        var week = r.WeekList.ToList().FindIndex(w => w.Number == bookedWeek);
        AssertFigures(gb.Weeks[week], 4, 4.5, 5.7);
        Assert.Equal((4, 3), (gb.Weeks[week].Promised, gb.Weeks[week].OnTime));
        Assert.Equal(0.75, gb.Weeks[week].OnTimeRate);
        Assert.Equal(0.75, gb.Total.OnTimeRate);
        Assert.All(gb.Weeks.Where((_, i) => i != week), w => Assert.Equal(GetLanePerformance.Figures.None, w));

        // GB-US: a lane with shipments and no delivery.
        var us = r.Lanes[2];
        Assert.Equal((1, 0, 0), (us.Shipments, us.WithException, us.Total.Delivered));
        Assert.Null(us.Total.P50Days);
        Assert.All(us.Weeks, w => Assert.Equal(GetLanePerformance.Figures.None, w));

        // Exceptions: S10 on CN-DE 2 of 8 (the failed attempt, the customs hold); Sandbox Express on CN-GB 1 of 5 (lost).
        Assert.Equal(
            [("s10", "CN-DE", 8, 2), ("sbx-express", "CN-GB", 5, 1), ("s10", "GB-US", 1, 0)],
            r.Exceptions.Select(e => (e.Carrier, e.Lane, e.Shipments, e.WithException)));
        Assert.Equal(0.25, r.Exceptions[0].Rate);
        Assert.Equal(0.2, r.Exceptions[1].Rate);
        Assert.Equal(0, r.Exceptions[2].Rate);
    }

    [Fact]
    public async Task A_longer_period_reaches_older_deliveries_and_a_lane_filter_keeps_one_lane()
    {
        database.RequireAvailable();
        var (db, _) = await SeedAsync();
        await using var _db = db;
        var handler = new GetLanePerformance.Handler(db, new DeliveryForecasts(SandboxCatalogue.Default), _clock);

        var twelve = (await handler.HandleAsync(new GetLanePerformance.Request(null, " cn-de "), Ct)).Value;

        Assert.Equal(GetLanePerformance.DefaultWeeks, twelve.Weeks);
        Assert.Equal(new DateTimeOffset(2026, 9, 7, 0, 0, 0, TimeSpan.Zero), twelve.From);
        Assert.Equal(37, twelve.WeekList[0].Number);
        Assert.Equal("CN-DE", twelve.Lane);
        Assert.Equal(["CN-DE", "CN-GB", "GB-US"], twelve.AllLanes);
        var de = Assert.Single(twelve.Lanes);
        // The 20 Oct delivery (3 days, W43) joins: {2, 3, 3, 4, 5, 6, 8, 10}, median 4.5, 90th at rank 6.3: 8 + 0.3 x 2 = 8.6.
        AssertFigures(de.Total, 8, 4.5, 8.6);
        AssertFigures(de.Weeks[twelve.WeekList.ToList().FindIndex(w => w.Number == 43)], 1, 3, 3);
        Assert.Equal(9, de.Shipments);
        Assert.Equal(("s10", "CN-DE", 9, 2), Assert.Single(twelve.Exceptions) is var e ? (e.Carrier, e.Lane, e.Shipments, e.WithException) : default);

        var none = (await handler.HandleAsync(new GetLanePerformance.Request("26", "JP-AU"), Ct)).Value;
        Assert.Empty(none.Lanes);
        Assert.Empty(none.Exceptions);
        Assert.Equal(26, none.WeekList.Count);
        Assert.Equal(3, none.AllLanes.Count);
    }

    [Fact]
    public async Task A_seller_with_nothing_in_the_period_gets_empty_weeks_and_a_bad_period_or_lane_is_refused()
    {
        database.RequireAvailable();
        _clock.SetUtcNow(Now);
        var (db, _, _) = await database.NewTenantAsync(_clock);
        await using var _db = db;
        var handler = new GetLanePerformance.Handler(db, new DeliveryForecasts(SandboxCatalogue.Default), _clock);

        var empty = (await handler.HandleAsync(new GetLanePerformance.Request("12", null), Ct)).Value;
        Assert.Equal(12, empty.WeekList.Count);
        Assert.Empty(empty.AllLanes);
        Assert.Empty(empty.Lanes);
        Assert.Empty(empty.Exceptions);
        Assert.Equal(0, empty.Delivered);

        var bad = await handler.HandleAsync(new GetLanePerformance.Request("5", "CN_DE"), Ct);
        Assert.Equal("tracking.lane_performance_invalid", bad.Error?.Code);
        Assert.Equal(["lane", "weeks"], bad.Error!.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("lane", (await handler.HandleAsync(new GetLanePerformance.Request("4", "XX-DE"), Ct)).Error?.Errors?.Keys.Single());
        Assert.Equal("weeks", (await handler.HandleAsync(new GetLanePerformance.Request("-4", null), Ct)).Error?.Errors?.Keys.Single());
    }

    private static void AssertFigures(GetLanePerformance.Figures figures, int delivered, double? p50, double? p90)
    {
        Assert.Equal(delivered, figures.Delivered);
        AssertClose(p50, figures.P50Days, "median");
        AssertClose(p90, figures.P90Days, "90th percentile");
    }

    private static void AssertClose(double? expected, double? actual, string what)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }
        Assert.True(actual is { } a && Math.Abs(a - expected.Value) < 1e-9, $"{what}: expected {expected}, got {actual}");
    }
}

public sealed class SqliteLanePerformanceTests(SqliteDatabase database) : LanePerformanceTests<SqliteDatabase>(database);

public sealed class PostgresLanePerformanceTests(PostgresDatabase database) : LanePerformanceTests<PostgresDatabase>(database);
