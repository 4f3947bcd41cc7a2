using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Waybill.Persistence;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Server.Tests.Support;

/// <summary>The real server (in memory) on a real database, one per test class; tests work in tenants of their own.</summary>
public abstract class WaybillApp<TDatabase> : IAsyncLifetime
    where TDatabase : TestDatabase, new()
{
    public TDatabase Database { get; } = new();

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        if (Database.Unavailable is not null)
        {
            return;
        }
        Factory = NewReplica();
        _ = Factory.Server; // start now: migrations run before the first request
    }

    /// <summary>Another server process on the same database (a replica), with the same settings; the caller disposes it.</summary>
    public WebApplicationFactory<Program> NewReplica() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("data-dir", Database.Storage.DataDirectory);
            builder.UseSetting("demo", "false");
            if (Database.Storage.Provider == DatabaseProvider.Postgres)
            {
                builder.UseSetting("database", Database.Storage.ConnectionString);
            }
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, FailingRouteForTests>());
        });

    public async ValueTask DisposeAsync()
    {
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A client for a new tenant of its own.</summary>
    public async Task<(HttpClient Client, Guid TenantId, string ApiKey)> NewTenantClientAsync()
    {
        Database.RequireAvailable();
        var (db, tenant, key) = await Database.NewTenantAsync();
        await db.DisposeAsync();
        return (ClientWithKey(key), tenant, key);
    }

    public HttpClient ClientWithKey(string? apiKey)
    {
        Database.RequireAvailable();
        var client = Factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        return client;
    }
}

public sealed class SqliteApp : WaybillApp<SqliteDatabase>;

public sealed class PostgresApp : WaybillApp<PostgresDatabase>;

/// <summary>
/// Adds <c>POST /v1/test/fail</c>, which throws inside the API pipeline (behind auth and idempotency), so tests can
/// check what happens to a 5xx. Only the test host has it.
/// </summary>
internal sealed class FailingRouteForTests : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
        {
            if (context.Request.Path.Equals("/v1/test/fail", StringComparison.OrdinalIgnoreCase))
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                throw new InvalidOperationException("Failure injected by the test host.");
            }
            await nextMiddleware(context);
        });
    };
}
