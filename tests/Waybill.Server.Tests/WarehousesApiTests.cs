using System.Net;
using Waybill.Orders;
using Waybill.Server.Tests.Support;
using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class WarehousesApiTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    private static readonly WarehouseInput Shenzhen = Build.Warehouse();

    [Fact]
    public async Task Adding_a_warehouse_answers_201_and_it_is_listed_and_read_back()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/warehouses", Shenzhen);
        var warehouse = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = warehouse.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/warehouses/{id}", response.Headers.Location?.ToString());
        Assert.Equal("origin", warehouse.GetProperty("kind").GetString());
        Assert.Equal("518057", warehouse.GetProperty("address").GetProperty("postalCode").GetString());
        var list = await (await client.GetAsync("/v1/warehouses", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(warehouse.ToString(), list[0].ToString());
        Assert.Equal(1, list.GetArrayLength());
        var read = await (await client.GetAsync($"/v1/warehouses/{id}", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(warehouse.ToString(), read.ToString());

        var order = await (await client.PostJsonAsync("/v1/orders", Build.Order("WH-1") with { WarehouseId = Guid.Parse(id) })).JsonAsync();
        Assert.Equal(id, order.GetProperty("warehouseId").GetString());
    }

    [Fact]
    public async Task Bad_warehouses_answer_400_409_and_404()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/warehouses", Shenzhen);

        var invalid = await client.PostJsonAsync("/v1/warehouses", Shenzhen with { Code = "", Kind = "shop" });
        var taken = await client.PostJsonAsync("/v1/warehouses", Shenzhen);
        var unknown = await client.GetAsync($"/v1/warehouses/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
        var notAnId = await client.GetAsync("/v1/warehouses/nope", TestContext.Current.CancellationToken);
        var malformed = await client.PostAsync("/v1/warehouses", new StringContent("{\"code\": 5", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("code", out _));
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("warehouses.code_taken", (await taken.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("warehouses.not_found", (await unknown.JsonAsync()).Code());
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(1, (await (await client.GetAsync("/v1/warehouses", TestContext.Current.CancellationToken)).JsonAsync()).GetArrayLength());
    }
}

public sealed class WarehousesApiTestsOnSqlite(SqliteApp app) : WarehousesApiTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class WarehousesApiTestsOnPostgres(PostgresApp app) : WarehousesApiTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
