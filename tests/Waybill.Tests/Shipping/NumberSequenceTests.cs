using Waybill.Shipping;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Shipping;

public abstract class NumberSequenceTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    [Fact]
    public async Task Serials_are_handed_out_in_order_from_1_per_series()
    {
        database.RequireAvailable();
        var key = $"test:{Guid.NewGuid():N}";
        await using var db = database.Storage.CreateDb();
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(1, await NumberSequences.TakeAsync(db, key, 1, ct));
        Assert.Equal(2, await NumberSequences.TakeAsync(db, key, 10, ct));
        Assert.Equal(12, await NumberSequences.TakeAsync(db, key, 1, ct));
        Assert.Equal(1, await NumberSequences.TakeAsync(db, key + "-other", 5, ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NumberSequences.TakeAsync(db, key, 0, ct));
    }

    [Fact]
    public async Task Concurrent_takers_never_get_the_same_serial()
    {
        database.RequireAvailable();
        var key = $"race:{Guid.NewGuid():N}";
        var ct = TestContext.Current.CancellationToken;
        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 25; i++)
            {
                await using var db = database.Storage.CreateDb();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var first = await NumberSequences.TakeAsync(db, key, 3, ct);
                await tx.CommitAsync(ct);
                mine.AddRange([first, first + 1, first + 2]);
            }
            return mine;
        }, ct)));

        var all = taken.SelectMany(t => t).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 8 * 25 * 3).Select(i => (long)i), all);
    }

    [Fact]
    public async Task A_rolled_back_take_is_not_kept_and_the_next_take_gets_the_same_serials()
    {
        database.RequireAvailable();
        var key = $"rollback:{Guid.NewGuid():N}";
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.Storage.CreateDb();
        await NumberSequences.TakeAsync(db, key, 2, ct);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            Assert.Equal(3, await NumberSequences.TakeAsync(db, key, 4, ct));
            await tx.RollbackAsync(ct);
        }

        Assert.Equal(3, await NumberSequences.TakeAsync(db, key, 1, ct));
    }
}

public sealed class NumberSequenceTestsOnSqlite(SqliteDatabase database) : NumberSequenceTests<SqliteDatabase>(database);

public sealed class NumberSequenceTestsOnPostgres(PostgresDatabase database) : NumberSequenceTests<PostgresDatabase>(database);
