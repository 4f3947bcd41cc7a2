using System.Net;
using Microsoft.EntityFrameworkCore;
using Waybill.Server.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests;

public abstract class IdempotencyTests<TDatabase>(WaybillApp<TDatabase> app)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer_without_a_second_order()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var order = Build.Order("IDEM-1");

        var first = await client.PostJsonAsync("/v1/orders", order, "key-1");
        var second = await client.PostJsonAsync("/v1/orders", order, "key-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal((await first.JsonAsync()).GetProperty("id").GetString(), (await second.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, (await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_same_key_with_another_body_answers_422()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        await client.PostJsonAsync("/v1/orders", Build.Order("IDEM-2"), "key-2");

        var response = await client.PostJsonAsync("/v1/orders", Build.Order("IDEM-3"), "key-2");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("idempotency.key_reused", (await response.JsonAsync()).Code());
    }

    [Fact]
    public async Task A_key_is_scoped_to_tenant_and_path()
    {
        var (first, _, _) = await app.NewTenantClientAsync();
        var (second, _, _) = await app.NewTenantClientAsync();
        var order = Build.Order("IDEM-4");
        var created = await (await first.PostJsonAsync("/v1/orders", order, "shared-key")).JsonAsync();

        var otherTenant = await second.PostJsonAsync("/v1/orders", order, "shared-key");
        var otherPath = await first.PostRawAsync($"/v1/orders/{created.GetProperty("id").GetString()}/cancel", "", idempotencyKey: "shared-key");

        Assert.Equal(HttpStatusCode.Created, otherTenant.StatusCode);
        Assert.NotEqual(created.GetProperty("id").GetString(), (await otherTenant.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, otherPath.StatusCode);
    }

    [Fact]
    public async Task Client_errors_are_stored_and_replayed_too()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var bad = Build.Order() with { Currency = "XYZ" };

        var first = await client.PostJsonAsync("/v1/orders", bad, "key-400");
        var second = await client.PostJsonAsync("/v1/orders", bad, "key-400");

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task A_server_error_is_not_stored_so_the_client_may_retry()
    {
        var (client, tenant, _) = await app.NewTenantClientAsync();

        var first = await client.PostRawAsync("/v1/test/fail", "{}", idempotencyKey: "key-500");
        var second = await client.PostRawAsync("/v1/test/fail", "{}", idempotencyKey: "key-500");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        await using var db = app.Database.Storage.CreateDb();
        Assert.False(await db.IdempotencyRecords.AnyAsync(r => r.TenantId == tenant, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrent_duplicates_create_one_order_and_each_gets_it_or_an_in_flight_409()
    {
        var (client, _, _) = await app.NewTenantClientAsync();
        var order = Build.Order("IDEM-RACE");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.PostJsonAsync("/v1/orders", order, "race-key")));

        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            var body = await response.JsonAsync();
            if (response.StatusCode == HttpStatusCode.Created)
            {
                ids.Add(body.GetProperty("id").GetString()!);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
                Assert.Equal("idempotency.in_flight", body.Code());
            }
        }
        Assert.Single(ids);
        var list = await (await client.GetAsync("/v1/orders", TestContext.Current.CancellationToken)).JsonAsync();
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_key_older_than_24_hours_is_forgotten()
    {
        var (client, tenant, _) = await app.NewTenantClientAsync();
        var order = Build.Order("IDEM-OLD");
        var first = await (await client.PostJsonAsync("/v1/orders", order, "old-key")).JsonAsync();
        await using (var db = app.Database.Storage.CreateDb())
        {
            var record = await db.IdempotencyRecords.SingleAsync(r => r.TenantId == tenant, TestContext.Current.CancellationToken);
            record.CreatedAt = record.CreatedAt.AddHours(-25);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var again = await client.PostJsonAsync("/v1/orders", order, "old-key");

        // Not a replay: the request runs again and meets the order it created a day ago.
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("orders.reference_taken", (await again.JsonAsync()).Code());
        Assert.NotNull(first.GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_overlong_key_answers_400()
    {
        var (client, _, _) = await app.NewTenantClientAsync();

        var response = await client.PostJsonAsync("/v1/orders", Build.Order(), new string('k', 201));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("idempotency.key_invalid", (await response.JsonAsync()).Code());
    }
}

public sealed class IdempotencyTestsOnSqlite(SqliteApp app) : IdempotencyTests<SqliteDatabase>(app), IClassFixture<SqliteApp>;

public sealed class IdempotencyTestsOnPostgres(PostgresApp app) : IdempotencyTests<PostgresDatabase>(app), IClassFixture<PostgresApp>;
