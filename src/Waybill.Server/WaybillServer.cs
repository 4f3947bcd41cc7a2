using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;
using Waybill.Common;
using Waybill.Orders;
using Waybill.Persistence;
using Waybill.Server.Http;
using Waybill.Server.Web;
using Waybill.Shipping;
using Waybill.Tenancy;
using Waybill.Tracking;

namespace Waybill.Server;

/// <summary>Builds the server: read this as the table of contents of what runs.</summary>
internal static class WaybillServer
{
    public static WebApplication Build(string[] args)
    {
        // "--no-demo" is a switch; the configuration reads "--key value" pairs.
        // The pages' static files (wwwroot) are copied beside the executable: `dotnet run` keeps the caller's directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Select(a => a == "--no-demo" ? "--demo=false" : a).ToArray(),
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            // The pages are compiled into this assembly, whichever process hosts the server (a test, the bench).
            ApplicationName = typeof(WaybillServer).Assembly.GetName().Name,
        });
        var storage = ResolveStorage(builder.Configuration);
        var demo = DemoSettings.From(builder.Configuration, storage.Provider);

        // With the demo, the whole server runs on one accelerated clock (the sandbox network's time); without it, on
        // real time. API keys and idempotency always run on real time (WallClock).
        if (demo.Enabled)
        {
            builder.Services.TryAddSingleton<TimeProvider>(
                new AcceleratedClock(TimeProvider.System, demo.Speed, SandboxNetworkService.StartOf(storage.DataDirectory, TimeProvider.System)));
        }
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new WallClock(TimeProvider.System));
        builder.Services.AddSingleton(demo);
        builder.Services.AddSingleton(storage);
        // A request's database context is made when first asked for, for the tenant the API key authenticated.
        builder.Services.AddScoped<RequestTenant>();
        builder.Services.AddScoped(sp =>
        {
            var db = storage.CreateDb();
            db.TenantId = sp.GetRequiredService<RequestTenant>().Id;
            return db;
        });
        // The one writer of tracking events in this process (see EventWriter); disposed, after draining, at shutdown.
        builder.Services.AddSingleton(sp => new EventWriter(storage, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddHostedService<ApiKeyRotationWatcher>();
        builder.Services.AddHostedService<IdempotencyJanitor>();
        builder.Services.AddHostedService<SandboxNetworkService>(); // after StartupTasks: the database and the demo tenant are ready
        builder.Services.AddNotifications(builder.Configuration, storage);
        builder.Services.AddForecasts();
        builder.Services.AddWebhooks(builder.Configuration, storage, demo);
        builder.Services.AddWeb(storage, builder.Configuration);

        builder.Services.AddScoped<CreateOrder.Handler>();
        builder.Services.AddScoped<GetOrder.Handler>();
        builder.Services.AddScoped<ListOrders.Handler>();
        builder.Services.AddScoped<CancelOrder.Handler>();
        builder.Services.AddScoped<ImportOrders.Handler>();
        builder.Services.AddScoped<RegisterShipment.Handler>();
        builder.Services.AddScoped<GetShipment.Handler>();
        builder.Services.AddScoped<ListShipments.Handler>();
        builder.Services.AddScoped<ListShipmentEvents.Handler>();
        builder.Services.AddScoped<GetLanePerformance.Handler>();
        builder.Services.AddScoped<AddLeg.Handler>();
        builder.Services.AddScoped<IngestEvents.Handler>();
        builder.Services.AddScoped<AddWarehouse.Handler>();
        builder.Services.AddScoped<ListWarehouses.Handler>();
        builder.Services.AddScoped<GetWarehouse.Handler>();
        builder.Services.AddScoped<QuoteRates.Handler>();
        builder.Services.AddScoped<BookShipment.Handler>();
        builder.Services.AddScoped<GetSettings.Handler>();
        builder.Services.AddScoped<Waybill.Customs.GetCustomsDeclaration.Handler>();
        builder.Services.AddScoped<PatchSettings.Handler>();
        builder.Services.AddScoped<Waybill.Notifications.ListNotifications.Handler>();
        builder.Services.AddSingleton(sp => new SchemeRegistrations(sp.GetRequiredService<WallClock>().Time));
        builder.Services.AddSingleton<Waybill.Customs.QuoteLandedCost.Handler>();
        builder.Services.AddScoped<Waybill.Shipping.Labels.GetLabel.Handler>();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<RequestErrors>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Numbers are JSON numbers: "3" is not a quantity. This also keeps the OpenAPI types exact.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, LandedCostJson.Default);
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.UseWeb();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("Waybill API"));
        app.MapGet("/", () => TypedResults.Redirect("/scalar")).ExcludeFromDescription();
        app.MapHealth();
        var v1 = app.MapGroup("/v1");
        v1.MapOrders();
        v1.MapTrackingNumbers();
        v1.MapTracking();
        v1.MapWarehouses();
        v1.MapRates();
        v1.MapHsCodes();
        v1.MapSettings();
        v1.MapLandedCost();
        v1.MapNotifications();
        v1.MapWebhookEndpoints();
        app.MapWeb();
        return app;
    }

    private static Storage ResolveStorage(ConfigurationManager configuration)
    {
        var database = configuration["database"] ?? configuration.GetConnectionString("Waybill");
        return Storage.Resolve(configuration["data-dir"], database);
    }
}

/// <summary>
/// Runs before the server listens: migrations, then the demo tenant and its key file, so that
/// <c>/health</c> never answers before the database and the key are ready.
/// </summary>
internal sealed partial class StartupTasks(
    Storage storage, TimeProvider clock, DemoSettings demo, IServer server, IHostApplicationLifetime lifetime, ILogger<StartupTasks> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var where = storage.Describe();
        LogStorage(logger, where);
        await storage.MigrateAsync(cancellationToken);
        // The demo seller is for the embedded default; on PostgreSQL it is opt-in (--demo true).
        if (!demo.Enabled)
        {
            return;
        }
        var key = await DemoTenant.EnsureAsync(storage, clock, cancellationToken);
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var url = addresses.FirstOrDefault() ?? "(no address)";
            // Plain lines on standard output: what a person needs to start calling the API.
            Console.WriteLine($"Waybill is running at {url}");
            Console.WriteLine($"  API reference: {url.TrimEnd('/')}/scalar");
            Console.WriteLine($"  Dashboard:     {url.TrimEnd('/')}/dashboard (sign in with the demo API key)");
            Console.WriteLine($"  Tracking page: {url.TrimEnd('/')}/track");
            Console.WriteLine($"  Demo API key:  {key}");
            Console.WriteLine($"  (saved in {Path.Combine(storage.DataDirectory, DemoTenant.KeyFileName)})");
            Console.WriteLine($"  Sandbox network: {demo.OrdersPerDay} demo orders a simulated day, time {demo.Speed:0.##}x ({clock.UtcNow():yyyy-MM-dd HH:mm} UTC simulated); --no-demo for real time and no demo");
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: {Storage}")]
    private static partial void LogStorage(ILogger logger, string storage);
}
