using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Waybill.Common;
using Waybill.Tenancy;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Tests.Tenancy;

public abstract class TenantKeyTests<TDatabase>(TDatabase database) : IClassFixture<TDatabase>
    where TDatabase : TestDatabase
{
    [Fact]
    public async Task A_new_key_has_256_random_bits_and_only_its_sha256_is_stored()
    {
        database.RequireAvailable();
        await using var db = database.Storage.CreateDb();

        var added = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new($"Keys {Guid.NewGuid():N}"), TestContext.Current.CancellationToken)).Value;
        var other = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new($"Keys {Guid.NewGuid():N}"), TestContext.Current.CancellationToken)).Value;

        Assert.StartsWith(ApiKeys.Prefix, added.ApiKey, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(Base64(added.ApiKey[ApiKeys.Prefix.Length..])).Length);
        Assert.NotEqual(added.ApiKey, other.ApiKey);
        var stored = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == added.Id, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(added.ApiKey))), stored.ApiKeyHash);
        Assert.DoesNotContain(added.ApiKey[ApiKeys.Prefix.Length..], string.Join("|", stored.Name, stored.NameKey, stored.ApiKeyHash), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_has_its_currency_EUR_unless_named_and_an_unknown_one_is_refused()
    {
        database.RequireAvailable();
        await using var db = database.Storage.CreateDb();
        var ct = TestContext.Current.CancellationToken;

        var euro = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new($"Cur {Guid.NewGuid():N}"), ct)).Value;
        var pound = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new($"Cur {Guid.NewGuid():N}", "gbp"), ct)).Value;
        var bad = await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new($"Cur {Guid.NewGuid():N}", "EURO"), ct);

        Assert.Equal("EUR", (await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == euro.Id, ct)).Currency.Code);
        Assert.Equal("GBP", (await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == pound.Id, ct)).Currency.Code);
        Assert.Equal(["currency"], bad.Error!.Errors!.Keys);
    }

    [Fact]
    public async Task Rotating_replaces_the_key_so_the_old_one_finds_no_tenant()
    {
        database.RequireAvailable();
        await using var db = database.Storage.CreateDb();
        var name = $"Rotate {Guid.NewGuid():N}";
        var added = (await new AddTenant.Handler(db, TimeProvider.System).HandleAsync(new(name), TestContext.Current.CancellationToken)).Value;

        var rotated = (await new RotateApiKey.Handler(db, TimeProvider.System).HandleAsync(new(name.ToLowerInvariant()), TestContext.Current.CancellationToken)).Value;

        Assert.Equal(added.Id, rotated.Id);
        Assert.Null(await FindTenantByKey.HandleAsync(db, ApiKeys.Hash(added.ApiKey)));
        Assert.Equal(added.Id, await FindTenantByKey.HandleAsync(db, ApiKeys.Hash(rotated.ApiKey)));
    }

    [Fact]
    public async Task Tenant_names_are_unique_ignoring_case_and_must_not_be_blank()
    {
        database.RequireAvailable();
        await using var db = database.Storage.CreateDb();
        var name = $"Unique {Guid.NewGuid():N}";
        var handler = new AddTenant.Handler(db, TimeProvider.System);
        await handler.HandleAsync(new(name), TestContext.Current.CancellationToken);

        var again = await handler.HandleAsync(new("  " + name.ToUpperInvariant() + " "), TestContext.Current.CancellationToken);
        var blank = await handler.HandleAsync(new("   "), TestContext.Current.CancellationToken);

        Assert.Equal("tenants.name_taken", again.Error?.Code);
        Assert.Equal(ErrorKind.Validation, blank.Error?.Kind);
    }

    private static string Base64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}

public sealed class TenantKeyTestsOnSqlite(SqliteDatabase database) : TenantKeyTests<SqliteDatabase>(database);

public sealed class TenantKeyTestsOnPostgres(PostgresDatabase database) : TenantKeyTests<PostgresDatabase>(database);
