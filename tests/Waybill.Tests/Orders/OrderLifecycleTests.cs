using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Orders;

public abstract class OrderLifecycleTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 30, 15, TimeSpan.Zero).AddTicks(1234567));

    [Fact]
    public async Task A_created_order_reads_back_with_its_totals_amounts_and_time_exactly()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        var input = Build.Order(lines: [Build.Line(quantity: 3, unitPrice: 19.99m, weightKg: 0.125m), Build.Line("MUG-1", 1, 8.0001m, "6912.00", 0.4m)]);

        var created = await new CreateOrder.Handler(db, _clock).HandleAsync(input, TestContext.Current.CancellationToken);

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal(67.9701m, created.Value.GoodsTotal);
        Assert.Equal(0.775m, created.Value.TotalWeightKg);
        Assert.Equal("created", created.Value.Status);
        Assert.Equal(7, created.Value.Id.Version);
        await using var reader = database.Storage.CreateDb();
        reader.TenantId = tenant;
        var read = await new GetOrder.Handler(reader).HandleAsync(created.Value.Id, TestContext.Current.CancellationToken);
        Assert.Equal(created.Value with { Lines = [] }, read.Value with { Lines = [] });
        Assert.Equal(created.Value.Lines, read.Value.Lines);
        // Stored to the microsecond, which both databases keep.
        Assert.Equal(_clock.GetUtcNow().UtcTicks / 10 * 10, read.Value.CreatedAt.UtcTicks);
    }

    [Fact]
    public async Task A_second_order_with_the_same_reference_is_refused_as_taken()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var handler = new CreateOrder.Handler(db, _clock);
        await handler.HandleAsync(Build.Order("SAME-1"), TestContext.Current.CancellationToken);

        var second = await handler.HandleAsync(Build.Order("SAME-1"), TestContext.Current.CancellationToken);

        Assert.Equal("orders.reference_taken", second.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, second.Error?.Kind);
    }

    [Fact]
    public async Task The_same_reference_may_be_used_by_two_tenants()
    {
        var (first, _, _) = await database.NewTenantAsync();
        var (second, _, _) = await database.NewTenantAsync();
        await using var _1 = first;
        await using var _2 = second;

        Assert.True((await new CreateOrder.Handler(first, _clock).HandleAsync(Build.Order("SHARED"), TestContext.Current.CancellationToken)).IsSuccess);
        Assert.True((await new CreateOrder.Handler(second, _clock).HandleAsync(Build.Order("SHARED"), TestContext.Current.CancellationToken)).IsSuccess);
    }

    [Fact]
    public async Task Another_tenants_order_is_not_found_and_cannot_be_cancelled()
    {
        var (owner, _, _) = await database.NewTenantAsync();
        var (stranger, _, _) = await database.NewTenantAsync();
        await using var _1 = owner;
        await using var _2 = stranger;
        var order = (await new CreateOrder.Handler(owner, _clock).HandleAsync(Build.Order(), TestContext.Current.CancellationToken)).Value;

        Assert.Equal("orders.not_found", (await new GetOrder.Handler(stranger).HandleAsync(order.Id, TestContext.Current.CancellationToken)).Error?.Code);
        Assert.Equal("orders.not_found", (await new CancelOrder.Handler(stranger, _clock).HandleAsync(order.Id, TestContext.Current.CancellationToken)).Error?.Code);
        Assert.Equal(0, (await new ListOrders.Handler(stranger).HandleAsync(new(null, null, null), TestContext.Current.CancellationToken)).Value.Total);
        Assert.Equal("created", (await new GetOrder.Handler(owner).HandleAsync(order.Id, TestContext.Current.CancellationToken)).Value.Status);
    }

    [Fact]
    public async Task An_order_can_be_cancelled_once_and_not_again()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var order = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order(), TestContext.Current.CancellationToken)).Value;
        var cancel = new CancelOrder.Handler(db, _clock);

        var first = await cancel.HandleAsync(order.Id, TestContext.Current.CancellationToken);
        var second = await cancel.HandleAsync(order.Id, TestContext.Current.CancellationToken);

        Assert.Equal("cancelled", first.Value.Status);
        Assert.Equal("orders.already_cancelled", second.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, second.Error?.Kind);
    }

    [Fact]
    public async Task A_shipped_order_can_no_longer_be_cancelled()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var created = (await new CreateOrder.Handler(db, _clock).HandleAsync(Build.Order(), TestContext.Current.CancellationToken)).Value;
        var entity = await db.Orders.SingleAsync(o => o.Id == created.Id, TestContext.Current.CancellationToken);
        Assert.True(entity.MarkShipped(_clock.UtcNow()).IsSuccess);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        var cancelled = await new CancelOrder.Handler(db, _clock).HandleAsync(created.Id, TestContext.Current.CancellationToken);

        Assert.Equal("orders.not_cancellable", cancelled.Error?.Code);
        Assert.Equal(ErrorKind.Conflict, cancelled.Error?.Kind);
    }

    [Fact]
    public async Task Lists_page_newest_first_and_filter_by_status()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var create = new CreateOrder.Handler(db, _clock);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await create.HandleAsync(Build.Order($"P-{i}"), TestContext.Current.CancellationToken)).Value.Id);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        await new CancelOrder.Handler(db, _clock).HandleAsync(ids[1], TestContext.Current.CancellationToken);
        var list = new ListOrders.Handler(db);

        var page2 = (await list.HandleAsync(new(null, 2, 2), TestContext.Current.CancellationToken)).Value;
        var cancelled = (await list.HandleAsync(new("cancelled", null, null), TestContext.Current.CancellationToken)).Value;
        var bad = await list.HandleAsync(new("lost", 0, 501), TestContext.Current.CancellationToken);

        Assert.Equal(5, page2.Total);
        Assert.Equal([ids[2], ids[1]], page2.Items.Select(o => o.Id));
        Assert.Equal(50, cancelled.PageSize);
        Assert.Equal([ids[1]], cancelled.Items.Select(o => o.Id));
        Assert.Equal(["page", "pageSize", "status"], bad.Error!.Errors!.Keys.Order());
    }

    [Fact]
    public async Task Amounts_and_times_sort_compare_and_sum_in_sql()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var create = new CreateOrder.Handler(db, _clock);
        foreach (var (reference, price) in new[] { ("S-1", 9.99m), ("S-2", 100m), ("S-3", 10.5m) })
        {
            await create.HandleAsync(Build.Order(reference, lines: [Build.Line(quantity: 1, unitPrice: price)]), TestContext.Current.CancellationToken);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var since = _clock.GetUtcNow().AddMilliseconds(-2.5);

        var sum = await db.Orders.SumAsync(o => o.GoodsTotal, TestContext.Current.CancellationToken);
        var byPrice = await db.Orders.OrderBy(o => o.GoodsTotal).Select(o => o.Reference).ToListAsync(TestContext.Current.CancellationToken);
        var above = await db.Orders.Where(o => o.GoodsTotal > 10m).CountAsync(TestContext.Current.CancellationToken);
        var recent = await db.Orders.Where(o => o.CreatedAt > since).OrderByDescending(o => o.CreatedAt).Select(o => o.Reference).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(120.49m, sum);
        Assert.Equal(["S-1", "S-3", "S-2"], byPrice);
        Assert.Equal(2, above);
        Assert.Equal(["S-3", "S-2"], recent);
    }
}

public sealed class OrderLifecycleTestsOnSqlite(SqliteDatabase database) : OrderLifecycleTests<SqliteDatabase>(database);

public sealed class OrderLifecycleTestsOnPostgres(PostgresDatabase database) : OrderLifecycleTests<PostgresDatabase>(database);
