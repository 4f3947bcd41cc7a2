using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Shipping;

public abstract class WarehouseTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero));

    private static WarehouseInput Shenzhen(string code = "SZX-1", string kind = "origin") => Build.Warehouse(code, kind);

    private static WarehouseInput Leipzig(string code = "LEJ-1") =>
        new(code, "Leipzig overseas", new AddressInput("Acme EU", "Am Exerzierplatz 5", "Halle 3", "Leipzig", null, "04158", "de"), "Overseas");

    [Fact]
    public async Task An_added_warehouse_reads_back_in_the_list_and_by_id()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var added = await new AddWarehouse.Handler(db, _clock).HandleAsync(Leipzig("lej-1"), TestContext.Current.CancellationToken);
        await new AddWarehouse.Handler(db, _clock).HandleAsync(Shenzhen(), TestContext.Current.CancellationToken);

        Assert.True(added.IsSuccess, added.Error?.Message);
        Assert.Equal("LEJ-1", added.Value.Code);
        Assert.Equal("overseas", added.Value.Kind);
        Assert.Equal(new AddressView("Acme EU", "Am Exerzierplatz 5", "Halle 3", "Leipzig", null, "04158", "DE"), added.Value.Address);
        var list = await new ListWarehouses.Handler(db).HandleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["LEJ-1", "SZX-1"], list.Select(w => w.Code));
        var one = await new GetWarehouse.Handler(db).HandleAsync(added.Value.Id, TestContext.Current.CancellationToken);
        Assert.Equal(added.Value, one.Value);
    }

    [Fact]
    public async Task Every_bad_field_is_named()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;

        var result = await new AddWarehouse.Handler(db, _clock).HandleAsync(
            new WarehouseInput("has space", "", new AddressInput("X", "", null, "Berlin", null, "1011", "DE"), "depot"), TestContext.Current.CancellationToken);
        var missing = await new AddWarehouse.Handler(db, _clock).HandleAsync(new WarehouseInput(null, "N", null, null), TestContext.Current.CancellationToken);

        Assert.Equal("warehouses.invalid", result.Error?.Code);
        Assert.Equal(["address.line1", "address.postalCode", "code", "kind", "name"], result.Error!.Errors!.Keys.Order());
        Assert.Equal(["address", "code", "kind"], missing.Error!.Errors!.Keys.Order());
        Assert.Empty(await new ListWarehouses.Handler(db).HandleAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_code_is_unique_per_tenant_only()
    {
        var (first, _, _) = await database.NewTenantAsync();
        var (second, _, _) = await database.NewTenantAsync();
        await using var _1 = first;
        await using var _2 = second;

        await new AddWarehouse.Handler(first, _clock).HandleAsync(Shenzhen(), TestContext.Current.CancellationToken);
        var again = await new AddWarehouse.Handler(first, _clock).HandleAsync(Shenzhen("szx-1", "overseas"), TestContext.Current.CancellationToken);
        var otherTenant = await new AddWarehouse.Handler(second, _clock).HandleAsync(Shenzhen(), TestContext.Current.CancellationToken);

        Assert.Equal("warehouses.code_taken", again.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, again.Error?.Kind);
        Assert.True(otherTenant.IsSuccess);
        Assert.Equal("warehouses.not_found", (await new GetWarehouse.Handler(second).HandleAsync(
            (await new ListWarehouses.Handler(first).HandleAsync(TestContext.Current.CancellationToken))[0].Id, TestContext.Current.CancellationToken)).Error?.Code);
    }

    [Fact]
    public async Task An_order_may_name_its_warehouse_and_only_one_of_its_tenant()
    {
        var (db, _, _) = await database.NewTenantAsync();
        var (other, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        await using var _other = other;
        var mine = (await new AddWarehouse.Handler(db, _clock).HandleAsync(Shenzhen(), TestContext.Current.CancellationToken)).Value;
        var theirs = (await new AddWarehouse.Handler(other, _clock).HandleAsync(Shenzhen(), TestContext.Current.CancellationToken)).Value;

        var placed = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("W-1") with { WarehouseId = mine.Id }, TestContext.Current.CancellationToken);
        var foreign = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("W-2") with { WarehouseId = theirs.Id }, TestContext.Current.CancellationToken);
        var none = await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order("W-3"), TestContext.Current.CancellationToken);

        Assert.Equal(mine.Id, placed.Value.WarehouseId);
        Assert.Equal(mine.Id, (await new GetOrder.Handler(db).HandleAsync(placed.Value.Id, TestContext.Current.CancellationToken)).Value.WarehouseId);
        Assert.Equal("orders.invalid", foreign.Error?.Code);
        Assert.Equal(["warehouseId"], foreign.Error!.Errors!.Keys);
        Assert.Null(none.Value.WarehouseId);
    }

    [Fact]
    public async Task A_booking_ships_from_the_named_warehouse_else_the_orders_else_the_only_origin_one()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var ct = TestContext.Current.CancellationToken;

        var none = await ShipFrom.ResolveAsync(db, null, null, ct);
        var overseas = (await new AddWarehouse.Handler(db, _clock).HandleAsync(Leipzig(), ct)).Value;
        var stillNone = await ShipFrom.ResolveAsync(db, null, null, ct);
        var origin = (await new AddWarehouse.Handler(db, _clock).HandleAsync(Shenzhen(), ct)).Value;
        var onlyOrigin = await ShipFrom.ResolveAsync(db, null, null, ct);
        var ofOrder = await ShipFrom.ResolveAsync(db, null, overseas.Id, ct);
        var requested = await ShipFrom.ResolveAsync(db, origin.Id, overseas.Id, ct);
        var unknown = await ShipFrom.ResolveAsync(db, Guid.NewGuid(), overseas.Id, ct);
        await new AddWarehouse.Handler(db, _clock).HandleAsync(Shenzhen("SZX-2"), ct);
        var ambiguous = await ShipFrom.ResolveAsync(db, null, null, ct);

        Assert.Equal("shipping.no_warehouse", none.Error?.Code);
        Assert.Equal(ErrorKind.Unprocessable, none.Error?.Kind);
        Assert.Contains("POST /v1/warehouses", none.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("shipping.no_warehouse", stillNone.Error?.Code);
        Assert.Equal(origin.Id, onlyOrigin.Value.Id);
        Assert.Equal(overseas.Id, ofOrder.Value.Id);
        Assert.Equal(origin.Id, requested.Value.Id);
        Assert.Equal("shipping.warehouse_unknown", unknown.Error?.Code);
        Assert.Equal("shipping.warehouse_ambiguous", ambiguous.Error?.Code);
    }
}

public sealed class WarehouseTestsOnSqlite(SqliteDatabase database) : WarehouseTests<SqliteDatabase>(database);

public sealed class WarehouseTestsOnPostgres(PostgresDatabase database) : WarehouseTests<PostgresDatabase>(database);
