using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Server;

/// <summary>
/// Webhook settings of the server: <c>--allow-private-webhooks true|false</c> lets sellers register URLs on loopback and
/// private addresses (on in the embedded default, SQLite with the demo, where the receiver is usually on the same
/// machine; off otherwise). The worker runs with the notifications worker (<c>--notifications-worker</c>).
/// </summary>
internal static class WebhookConfiguration
{
    public static void AddWebhooks(this IServiceCollection services, IConfiguration configuration, Storage storage, DemoSettings demo)
    {
        var embedded = storage.Provider == DatabaseProvider.Sqlite && demo.Enabled;
        var allow = configuration["allow-private-webhooks"] is not { Length: > 0 } text ? embedded
            : bool.TryParse(text.Trim(), out var b) ? b
            : throw new ServerConfigurationException($"--allow-private-webhooks must be true or false, not '{text}'.");
        services.AddSingleton(new WebhookUrlPolicy(allow));
        services.AddSingleton(new WebhookSenderOptions());
        services.AddSingleton<WebhookSender>();
        services.AddHostedService<WebhookWorker>();
        services.AddScoped<CreateWebhookEndpoint.Handler>();
        services.AddScoped<ListWebhookEndpoints.Handler>();
        services.AddScoped<GetWebhookEndpoint.Handler>();
        services.AddScoped<UpdateWebhookEndpoint.Handler>();
        services.AddScoped<DeleteWebhookEndpoint.Handler>();
        services.AddScoped<RotateWebhookSecret.Handler>();
        services.AddScoped<EnableWebhookEndpoint.Handler>(); // the dashboard's enable and delete
        services.AddScoped<RemoveWebhookEndpoint.Handler>();
    }
}

/// <summary>Runs the <see cref="WebhookSender"/> in the background: a pass, then another at once while there was work, else after a pause.</summary>
internal sealed partial class WebhookWorker(
    WebhookSender sender, WebhookUrlPolicy policy, NotificationWorkerSettings settings, WallClock wall, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            return;
        }
        LogStarted(logger, policy.AllowPrivate);
        await WorkerLoop.RunAsync(sender.RunOnceAsync, settings.Poll, wall.Time, ex => LogPassFailed(logger, ex), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks: delivering (private addresses allowed: {AllowPrivate})")]
    private static partial void LogStarted(ILogger logger, bool allowPrivate);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhooks: a pass of the worker failed; it tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
