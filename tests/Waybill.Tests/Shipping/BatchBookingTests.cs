using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Shipping;
using Waybill.Shipping.Sandbox;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Shipping;

public abstract class BatchBookingTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 2, 20, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Buyers in countries the Shenzhen warehouse's routes reach, with a postal code of each.</summary>
    private static readonly (string Country, string PostalCode)[] Destinations =
        [("DE", "10115"), ("US", "10001"), ("GB", "EC1A 1BB"), ("FR", "75001"), ("JP", "100-0001"), ("AU", "2000"), ("CA", "M5H 2N2")];

    private async Task<WaybillDb> TenantWithWarehouseAsync()
    {
        var (db, _, _) = await database.NewTenantAsync(_clock);
        var added = await new AddWarehouse.Handler(db, _clock).HandleAsync(Build.Warehouse(), TestContext.Current.CancellationToken);
        Assert.True(added.IsSuccess, added.Error?.Message);
        return db;
    }

    private async Task<List<Order>> CreateAsync(WaybillDb db, IEnumerable<OrderInput> inputs)
    {
        var outcomes = await new CreateOrders.Handler(db, _clock).HandleAsync(inputs.ToList(), TestContext.Current.CancellationToken);
        Assert.All(outcomes, o => Assert.Null(o.Error));
        return outcomes.Select(o => o.Order!).ToList();
    }

    [Fact]
    public async Task A_batch_of_orders_creates_the_valid_ones_and_gives_each_other_its_own_error()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TenantWithWarehouseAsync();
        var existing = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("BO-0"), ct);
        Assert.True(existing.IsSuccess);

        var outcomes = await new CreateOrders.Handler(db, _clock).HandleAsync(
        [
            Build.Order("BO-1", "FR", "75001", Build.Line("TS-1", 3)),
            Build.Order("BO-2", lines: Build.Line(quantity: 0)),
            Build.Order("BO-1", "US", "10001"),
            Build.Order("BO-0"),
            Build.Order("BO-3") with { WarehouseId = Guid.NewGuid() },
            Build.Order("BO-4", "US", "10001"),
        ], ct);

        Assert.Equal(6, outcomes.Count);
        Assert.Equal("BO-1", outcomes[0].Order?.Reference);
        Assert.Null(outcomes[0].Error);
        Assert.Equal("orders.invalid", outcomes[1].Error?.Code);
        Assert.Equal(["lines[0].quantity"], outcomes[1].Error!.Errors!.Keys);
        Assert.Equal(("orders.reference_taken", ErrorKind.Conflict), (outcomes[2].Error?.Code, outcomes[2].Error!.Kind));
        Assert.Equal(("orders.reference_taken", ErrorKind.Conflict), (outcomes[3].Error?.Code, outcomes[3].Error!.Kind));
        Assert.Equal("orders.invalid", outcomes[4].Error?.Code);
        Assert.Equal(["warehouseId"], outcomes[4].Error!.Errors!.Keys);
        Assert.Equal("BO-4", outcomes[5].Order?.Reference);
        Assert.Equal(2, outcomes.Count(o => o.Order is not null));

        var stored = await db.Orders.AsNoTracking().Include(o => o.Lines).OrderBy(o => o.Reference).ToListAsync(ct);
        Assert.Equal(["BO-0", "BO-1", "BO-4"], stored.Select(o => o.Reference));
        var first = (await new GetOrder.Handler(db).HandleAsync(outcomes[0].Order!.Id, ct)).Value;
        Assert.Equal(("FR", 3m), (first.ShipTo.Country, first.Lines.Single().Quantity)); // the first of the two BO-1, not the repeat
        Assert.Equal("created", first.Status);
        // Records with lists inside: compared as the JSON the API would send.
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(OrderView.Of(outcomes[5].Order!) with { Lines = [] }),
            System.Text.Json.JsonSerializer.Serialize((await new GetOrder.Handler(db).HandleAsync(outcomes[5].Order!.Id, ct)).Value with { Lines = [] }));
    }

    [Fact]
    public async Task A_batch_of_only_refused_orders_writes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TenantWithWarehouseAsync();

        var outcomes = await new CreateOrders.Handler(db, _clock).HandleAsync([Build.Order("BN-1", country: "XX"), Build.Order(reference: "")], ct);

        Assert.All(outcomes, o => Assert.Equal("orders.invalid", o.Error?.Code));
        Assert.Equal(0, await db.Orders.CountAsync(ct));
    }

    [Fact]
    public async Task Three_hundred_orders_are_booked_in_one_batch_with_unique_valid_numbers_and_marked_shipped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TenantWithWarehouseAsync();
        var orders = await CreateAsync(db, Enumerable.Range(0, 300).Select(i =>
        {
            var (country, postal) = Destinations[i % Destinations.Length];
            return Build.Order($"BB-{i:D3}", country, postal, Build.Line("TS-1", 1 + (i % 4), 12.5m, "6109.10", 0.1m + (i % 7 * 0.3m)));
        }));
        string[] strategies = [BookShipment.Cheapest, BookShipment.Fastest];

        var outcomes = await new BookShipments.Handler(db, _clock).HandleAsync(
            orders.Select((o, i) => new BookShipments.Request(o.Id, new BookingInput(strategies[i % 2]))).ToList(), ct);

        Assert.Equal(orders.Select(o => o.Id), outcomes.Select(o => o.OrderId));
        Assert.All(outcomes, o => Assert.True(o.Error is null, $"{o.OrderId}: {o.Error?.Code} {o.Error?.Message}"));
        var legs = outcomes.SelectMany(o => o.Shipment!.Legs).ToList();
        Assert.True(legs.Count >= 300);
        Assert.Equal(legs.Count, legs.Select(l => l.TrackingNumber).Distinct().Count());
        Assert.All(legs, l => Assert.True(SandboxNumbers.Default.IsValid(l.Carrier, l.TrackingNumber), $"{l.Carrier} {l.TrackingNumber}"));
        Assert.Contains(legs, l => l.Carrier.StartsWith("sbx-post-", StringComparison.Ordinal));
        Assert.True(legs.Select(l => l.Carrier).Distinct().Count() > 2, string.Join(", ", legs.Select(l => l.Carrier).Distinct()));
        Assert.All(outcomes, o => Assert.Equal(o.OrderId, o.Shipment!.OrderId));

        var stored = await db.Orders.AsNoTracking().ToListAsync(ct);
        Assert.All(stored, o => Assert.Equal(OrderStatus.Shipped, o.Status));
        Assert.Equal(300, await db.Shipments.CountAsync(ct));
        Assert.Equal(300, (await db.Shipments.Select(s => s.OrderId).Distinct().ToListAsync(ct)).Count);
        var numbers = await db.ShipmentLegs.AsNoTracking().Select(l => l.TrackingNumber).ToListAsync(ct);
        Assert.Equal(legs.Select(l => l.TrackingNumber).Order(StringComparer.Ordinal), numbers.Order(StringComparer.Ordinal));
        var view = (await new Waybill.Tracking.GetShipment.Handler(db).HandleAsync(outcomes[0].Shipment!.Id, ct)).Value;
        Assert.Equal(outcomes[0].Shipment!.Legs.Select(l => l.TrackingNumber), view.Legs.Select(l => l.TrackingNumber));
        Assert.NotNull(view.ExpectedDelivery);
    }

    [Fact]
    public async Task Numbers_of_a_second_batch_follow_the_first_without_reuse()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TenantWithWarehouseAsync();
        var orders = await CreateAsync(db, Enumerable.Range(0, 40).Select(i => Build.Order($"BS-{i:D2}")));
        var handler = new BookShipments.Handler(db, _clock);

        var first = await handler.HandleAsync(orders.Take(20).Select(o => new BookShipments.Request(o.Id, new BookingInput(BookShipment.Cheapest))).ToList(), ct);
        var second = await handler.HandleAsync(orders.Skip(20).Select(o => new BookShipments.Request(o.Id, new BookingInput(BookShipment.Cheapest))).ToList(), ct);

        var numbers = first.Concat(second).SelectMany(o => o.Shipment!.Legs).Select(l => l.TrackingNumber).ToList();
        Assert.Equal(40, first.Concat(second).Count(o => o.Shipment is not null));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Fact]
    public async Task A_batch_with_a_cancelled_order_an_unknown_id_and_a_repeated_id_books_the_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TenantWithWarehouseAsync();
        var orders = await CreateAsync(db, Enumerable.Range(0, 5).Select(i => Build.Order($"BM-{i}")));
        var (a, b, c, cancelled, earlier) = (orders[0], orders[1], orders[2], orders[3], orders[4]);
        Assert.True((await new CancelOrder.Handler(db, _clock).HandleAsync(cancelled.Id, ct)).IsSuccess);
        var handler = new BookShipments.Handler(db, _clock);
        Assert.Null((await handler.HandleAsync([new BookShipments.Request(earlier.Id, new BookingInput())], ct))[0].Error);
        var unknown = Guid.NewGuid();

        var outcomes = await handler.HandleAsync(
        [
            new(a.Id, new BookingInput()),
            new(cancelled.Id, new BookingInput()),
            new(unknown, new BookingInput()),
            new(b.Id, new BookingInput(BookShipment.Fastest)),
            new(a.Id, new BookingInput()),
            new(earlier.Id, new BookingInput()),
            new(c.Id, new BookingInput("slowest")),
            new(c.Id, new BookingInput(BookShipment.Cheapest)),
        ], ct);

        Assert.Equal(
            [null, "shipping.order_cancelled", "orders.not_found", null, "shipping.already_booked", "shipping.already_booked", "shipping.booking_invalid", null],
            outcomes.Select(o => o.Error?.Code));
        Assert.Equal([a.Id, cancelled.Id, unknown, b.Id, a.Id, earlier.Id, c.Id, c.Id], outcomes.Select(o => o.OrderId));
        Assert.Equal(ErrorKind.NotFound, outcomes[2].Error!.Kind);
        Assert.Equal(ErrorKind.Conflict, outcomes[1].Error!.Kind);
        Assert.Equal([true, false, false, true, false, false, false, true], outcomes.Select(o => o.Shipment is not null));

        var shipments = await db.Shipments.AsNoTracking().GroupBy(s => s.OrderId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        Assert.Equal(
            new[] { a.Id, b.Id, c.Id, earlier.Id }.Order(),
            shipments.Select(s => s.Key!.Value).Order());
        Assert.All(shipments, s => Assert.Equal(1, s.Count));
        var statuses = await db.Orders.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Status, ct);
        Assert.Equal(OrderStatus.Cancelled, statuses[cancelled.Id]);
        Assert.All(new[] { a, b, c, earlier }, o => Assert.Equal(OrderStatus.Shipped, statuses[o.Id]));
    }

    [Fact]
    public async Task An_empty_batch_books_nothing()
    {
        await using var db = await TenantWithWarehouseAsync();

        var outcomes = await new BookShipments.Handler(db, _clock).HandleAsync([], TestContext.Current.CancellationToken);

        Assert.Empty(outcomes);
        Assert.Equal(0, await db.Shipments.CountAsync(TestContext.Current.CancellationToken));
    }
}

public sealed class BatchBookingTestsOnSqlite(SqliteDatabase database) : BatchBookingTests<SqliteDatabase>(database);

public sealed class BatchBookingTestsOnPostgres(PostgresDatabase database) : BatchBookingTests<PostgresDatabase>(database);
