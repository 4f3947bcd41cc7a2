using Microsoft.Extensions.Time.Testing;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Orders;

public sealed class DangerousGoodsRulesTests
{
    [Fact]
    public void Declared_values_are_normalised_deduplicated_and_ordered()
    {
        Assert.Equal(["UN3481", "liquid", "magnet"], DangerousGoods.Normalize(["MAGNET", "un3481", " liquid ", "UN3481"], out var reason));
        Assert.Null(reason);
        Assert.Empty(DangerousGoods.Normalize([], out _)!);
    }

    [Theory]
    [InlineData("UN1266")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_value_is_refused_with_the_accepted_ones(string? value)
    {
        Assert.Null(DangerousGoods.Normalize(["UN3480", value], out var reason));
        Assert.Contains("UN3480, UN3481, UN3090, UN3091, liquid, aerosol, magnet, powder", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8507.60", "UN3480")]
    [InlineData("8507.60.0010", "UN3480")]
    [InlineData("8506.50", "UN3090")]
    [InlineData("8517.13", "UN3481")]
    [InlineData("3303.00", "liquid")]
    [InlineData("6109.10", "")]
    [InlineData("8507.10", "")]
    public void The_hs_default_is_the_longest_matching_prefix(string hs, string expected)
    {
        Assert.True(HsCode.TryCreate(hs, out var code, out _));
        Assert.Equal(expected, string.Join(',', DangerousGoods.DefaultFor(code)));
    }
}

public abstract class DangerousGoodsOrderTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task Lines_keep_declared_goods_else_their_hs_default_and_say_which()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        var order = Build.Order("DG-1", lines:
        [
            Build.Line("PB-1", hsCode: "8507.60") with { DangerousGoods = null },
            Build.Line("PHONE-1", hsCode: "8517.13") with { DangerousGoods = [] },
            Build.Line("TOY-1", hsCode: "9503.00") with { DangerousGoods = ["magnet", "UN3091"] },
        ]);

        var created = await new CreateOrder.Handler(db, _clock).HandleAsync(order, TestContext.Current.CancellationToken);

        Assert.True(created.IsSuccess, created.Error?.Message);
        await using var reader = database.Storage.CreateDb();
        reader.TenantId = tenant;
        var lines = (await new GetOrder.Handler(reader).HandleAsync(created.Value.Id, TestContext.Current.CancellationToken)).Value.Lines;
        Assert.Equal(["UN3480"], lines[0].DangerousGoods);
        Assert.Equal("hs_default", lines[0].DangerousGoodsSource);
        Assert.Empty(lines[1].DangerousGoods);
        Assert.Equal("declared", lines[1].DangerousGoodsSource);
        Assert.Equal(["UN3091", "magnet"], lines[2].DangerousGoods);
        Assert.Equal("declared", lines[2].DangerousGoodsSource);
    }

    [Fact]
    public async Task An_unknown_value_is_refused_naming_its_line()
    {
        var (db, _, _) = await database.NewTenantAsync();
        await using var _db = db;
        var order = Build.Order("DG-2", lines: [Build.Line(), Build.Line("X-1") with { DangerousGoods = ["explosive"] }]);

        var result = await new CreateOrder.Handler(db, _clock).HandleAsync(order, TestContext.Current.CancellationToken);

        Assert.Equal("orders.invalid", result.Error?.Code);
        Assert.Equal(["lines[1].dangerousGoods"], result.Error!.Errors!.Keys);
    }

    [Fact]
    public async Task The_csv_import_reads_the_optional_dangerous_goods_column()
    {
        var (db, tenant, _) = await database.NewTenantAsync();
        await using var _db = db;
        string Row(string reference, string sku, string hs, string dg) =>
            $"{reference},Anna,anna@example.com,Anna,Hauptstr. 1,Berlin,10115,DE,DDP,EUR,{sku},Thing,1,10,{hs},CN,0.2,{dg}";
        var csv = Build.Csv(
            string.Join(',', ImportOrders.RequiredColumns) + ",dangerous_goods",
            Row("C-1", "PB", "8507.60", ""),
            Row("C-1", "PH", "8517.13", "none"),
            Row("C-1", "TOY", "9503.00", "magnet;un3091"),
            Row("C-2", "BAD", "9503.00", "magnet|fireworks"));

        var result = await new ImportOrders.Handler(db, _clock).HandleAsync(csv, progress: null, TestContext.Current.CancellationToken);

        Assert.Equal(
            [new ImportOrders.RowError(5, "dangerous_goods", "'fireworks' is not a dangerous-goods value: UN3480, UN3481, UN3090, UN3091, liquid, aerosol, magnet, powder.")],
            RowErrors(result));
        var fixedCsv = Build.Csv(
            string.Join(',', ImportOrders.RequiredColumns) + ",dangerous_goods",
            Row("C-1", "PB", "8507.60", ""),
            Row("C-1", "PH", "8517.13", "none"),
            Row("C-1", "TOY", "9503.00", "magnet;un3091"));
        Assert.True((await new ImportOrders.Handler(db, _clock).HandleAsync(fixedCsv, progress: null, TestContext.Current.CancellationToken)).IsSuccess);
        var order = (await new ListOrders.Handler(db).HandleAsync(new ListOrders.Request(null, null, null), TestContext.Current.CancellationToken)).Value.Items.Single();
        var lines = (await new GetOrder.Handler(db).HandleAsync(order.Id, TestContext.Current.CancellationToken)).Value.Lines;
        Assert.Equal(["UN3480", "", "UN3091,magnet"], lines.Select(l => string.Join(',', l.DangerousGoods)));
        Assert.Equal(["hs_default", "declared", "declared"], lines.Select(l => l.DangerousGoodsSource));
    }

    private static IReadOnlyList<ImportOrders.RowError> RowErrors(Result<ImportOrders.Response> result)
    {
        Assert.Equal("orders.import_invalid", result.Error?.Code);
        return Assert.IsAssignableFrom<IReadOnlyList<ImportOrders.RowError>>(result.Error!.Details);
    }
}

public sealed class DangerousGoodsOrderTestsOnSqlite(SqliteDatabase database) : DangerousGoodsOrderTests<SqliteDatabase>(database);

public sealed class DangerousGoodsOrderTestsOnPostgres(PostgresDatabase database) : DangerousGoodsOrderTests<PostgresDatabase>(database);
