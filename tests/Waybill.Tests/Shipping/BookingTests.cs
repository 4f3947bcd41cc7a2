using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Shipping;

public abstract class BookingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 2, 20, 9, 0, 0, TimeSpan.Zero));

    private static readonly WarehouseInput Shenzhen = Build.Warehouse();

    private async Task<(Waybill.Persistence.WaybillDb Db, OrderView Order)> OrderAsync(string reference, params OrderLineInput[] lines)
    {
        var (db, _, _) = await database.NewTenantAsync();
        await new AddWarehouse.Handler(db, _clock).HandleAsync(Shenzhen, TestContext.Current.CancellationToken);
        var order = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order(reference, lines: lines.Length == 0 ? [Build.Line()] : lines), TestContext.Current.CancellationToken);
        return (db, order.Value);
    }

    [Fact]
    public async Task A_booked_order_ships_with_a_valid_number_per_leg_its_price_and_window()
    {
        var (db, order) = await OrderAsync("BK-1");
        await using var _db = db;
        var ct = TestContext.Current.CancellationToken;

        var booked = await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(), ct);

        Assert.True(booked.IsSuccess, booked.Error?.Message);
        var shipment = booked.Value;
        Assert.Equal(order.Id, shipment.OrderId);
        Assert.NotEmpty(shipment.Legs);
        foreach (var leg in shipment.Legs)
        {
            Assert.True(SandboxNumbers.Default.IsValid(leg.Carrier, leg.TrackingNumber), $"{leg.Carrier} {leg.TrackingNumber}");
            Assert.NotNull(leg.Service);
            Assert.Equal("EUR", leg.Price?.Currency);
        }
        Assert.Equal(shipment.Legs.Sum(l => l.Price!.Amount), shipment.Price!.Amount);
        Assert.True(shipment.ExpectedDelivery!.Earliest <= shipment.ExpectedDelivery.Latest);
        Assert.True(shipment.ExpectedDelivery.Earliest > _clock.GetUtcNow());
        Assert.Equal("shipped", (await new GetOrder.Handler(db).HandleAsync(order.Id, ct)).Value.Status);
        var read = await new Waybill.Tracking.GetShipment.Handler(db).HandleAsync(shipment.Id, ct);
        IReadOnlyList<Waybill.Tracking.LegView> none = [];
        Assert.Equal(shipment with { Legs = none }, read.Value with { Legs = none });
        Assert.Equal(shipment.Legs, read.Value.Legs);
    }

    [Fact]
    public async Task A_booked_legs_carrier_events_go_through_ingest_and_move_the_shipment()
    {
        var (db, order) = await OrderAsync("BK-E");
        await using var _db = db;
        var ct = TestContext.Current.CancellationToken;
        var shipment = (await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput("cheapest"), ct)).Value;
        var leg = shipment.Legs[0];
        var code = leg.Carrier.StartsWith("sbx-post-", StringComparison.Ordinal) ? "EMA" : "PU";

        var ingest = await new Waybill.Tracking.IngestEvents.Handler(db, database.Events).HandleAsync(new Waybill.Tracking.IngestEvents.Request(
            [new Waybill.Tracking.EventInput(leg.TrackingNumber, leg.Carrier, code, "Picked up", "2026-02-20T17:00:00+08:00", new Waybill.Tracking.LocationInput("Shenzhen", null, "CN"))]), ct);

        Assert.Equal(1, ingest.Value.Accepted);
        Assert.Equal(0, ingest.Value.Unmatched);
        var moved = (await new Waybill.Tracking.GetShipment.Handler(db).HandleAsync(shipment.Id, ct)).Value;
        Assert.Equal("in_transit", moved.Status);
        Assert.Equal("posted", moved.Milestone);
    }

    [Fact]
    public async Task Cheapest_and_fastest_choose_as_the_quote_ranks_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, first) = await OrderAsync("BK-C");
        await using var _db = db;
        var second = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("BK-F"), ct)).Value;

        var cheapest = (await new BookShipment.Handler(db, _clock).HandleAsync(first.Id, new BookingInput("cheapest"), ct)).Value;
        var fastest = (await new BookShipment.Handler(db, _clock).HandleAsync(second.Id, new BookingInput("Fastest"), ct)).Value;

        Assert.True(cheapest.Price!.Amount <= fastest.Price!.Amount);
        Assert.True(fastest.ExpectedDelivery!.Latest <= cheapest.ExpectedDelivery!.Latest);
        Assert.NotEqual(cheapest.Legs[0].Service, fastest.Legs[0].Service);
    }

    [Fact]
    public async Task A_named_service_is_used_and_one_that_cannot_carry_the_order_is_refused_with_why()
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, order) = await OrderAsync("BK-S", Build.Line("PB-1", 1, 20m, "8507.60", 0.4m));
        await using var _db = db;

        var refused = await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(ServiceId: "sbx-post-cn-packet-tracked"), ct);
        var unknown = await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(ServiceId: "no-such-route"), ct);

        Assert.Equal("shipping.service_unavailable", refused.Error?.Code);
        Assert.Contains("restriction", refused.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("shipping.service_unavailable", unknown.Error?.Code);
        Assert.Equal("created", (await new GetOrder.Handler(db).HandleAsync(order.Id, ct)).Value.Status);
    }

    [Fact]
    public async Task Booking_twice_or_a_cancelled_order_is_a_conflict_and_a_bad_strategy_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, order) = await OrderAsync("BK-2");
        await using var _db = db;
        var cancelled = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("BK-X"), ct)).Value;
        await new CancelOrder.Handler(db, _clock).HandleAsync(cancelled.Id, ct);

        await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(), ct);
        var again = await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(), ct);
        var ofCancelled = await new BookShipment.Handler(db, _clock).HandleAsync(cancelled.Id, new BookingInput(), ct);
        var badStrategy = await new BookShipment.Handler(db, _clock).HandleAsync(cancelled.Id, new BookingInput("slowest"), ct);
        var missing = await new BookShipment.Handler(db, _clock).HandleAsync(Guid.NewGuid(), new BookingInput(), ct);

        Assert.Equal(("shipping.already_booked", ErrorKind.Conflict), (again.Error?.Code, again.Error!.Kind));
        Assert.Equal(("shipping.order_cancelled", ErrorKind.Conflict), (ofCancelled.Error?.Code, ofCancelled.Error!.Kind));
        Assert.Equal(["strategy"], badStrategy.Error!.Errors!.Keys);
        Assert.Equal("orders.not_found", missing.Error?.Code);
    }

    [Fact]
    public async Task Every_issued_number_is_unique_and_passes_its_check()
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, _) = await OrderAsync("BK-U0");
        await using var _db = db;
        var numbers = new List<string>();
        for (var i = 1; i <= 12; i++)
        {
            var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order($"BK-U{i}"), ct)).Value;
            var strategy = i % 3 == 0 ? "fastest" : i % 3 == 1 ? "cheapest" : null;
            var shipment = (await new BookShipment.Handler(db, _clock).HandleAsync(order.Id, new BookingInput(strategy), ct)).Value;
            numbers.AddRange(shipment.Legs.Select(l => l.TrackingNumber));
            Assert.All(shipment.Legs, l => Assert.True(SandboxNumbers.Default.IsValid(l.Carrier, l.TrackingNumber)));
        }

        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }
}

public sealed class BookingTestsOnSqlite(SqliteDatabase database) : BookingTests<SqliteDatabase>(database);

public sealed class BookingTestsOnPostgres(PostgresDatabase database) : BookingTests<PostgresDatabase>(database);
