using Waybill.Notifications;
using Waybill.Persistence;

namespace Waybill.Server;

/// <summary>
/// Notification settings of the server: <c>--smtp host:port</c> (with <c>--smtp-user</c>, <c>--smtp-password</c>),
/// <c>--mail-from</c>, <c>--public-url</c> (where the tracking links point), <c>--notifications-worker false</c> (decide
/// but do not send, for a replica that only ingests). Without an SMTP server, mail is written as <c>.eml</c> files
/// under <c>&lt;data-dir&gt;/mail</c>, so a demo loses nothing.
/// </summary>
internal static class NotificationConfiguration
{
    /// <summary>
    /// Without <c>--public-url</c>, the tracking links point where the server listens (<c>--urls</c>, its first address,
    /// a wildcard host read as <c>localhost</c>); with neither, at <c>http://localhost:5000</c>, Kestrel's default.
    /// </summary>
    internal static string? ListenUrl(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
        {
            return null;
        }
        var wildcard = first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal);
        return Uri.TryCreate(wildcard, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.GetLeftPart(UriPartial.Authority) : null;
    }

    public static void AddNotifications(this IServiceCollection services, IConfiguration configuration, Storage storage)
    {
        IMailTransport transport = new PickupDirectoryTransport(Path.Combine(storage.DataDirectory, "mail"));
        if (configuration["smtp"] is { Length: > 0 } smtp)
        {
            transport = new SmtpMailTransport(
                SmtpSettings.Parse(smtp, configuration["smtp-user"], configuration["smtp-password"], out var error)
                ?? throw new ServerConfigurationException(error!));
        }
        var from = configuration["mail-from"];
        if (from is { Length: > 0 } && !Common.EmailAddress.TryCreate(from, out _, out var reason))
        {
            throw new ServerConfigurationException($"--mail-from: {reason}");
        }
        var publicUrl = configuration["public-url"];
        if (publicUrl is { Length: > 0 } && !(Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new ServerConfigurationException($"--public-url must be an absolute http(s) URL, not '{publicUrl}'.");
        }
        var run = configuration["notifications-worker"] is not { Length: > 0 } w ? true
            : bool.TryParse(w, out var b) ? b : throw new ServerConfigurationException($"--notifications-worker must be true or false, not '{w}'.");
        var options = new NotificationSenderOptions();
        if (from is { Length: > 0 })
        {
            options = options with { FromAddress = from.Trim() };
        }
        if (publicUrl is { Length: > 0 })
        {
            options = options with { PublicUrl = publicUrl };
        }
        else if (ListenUrl(configuration["urls"]) is { } listening)
        {
            options = options with { PublicUrl = listening };
        }
        services.AddSingleton(NotificationTemplates.Default);
        services.AddSingleton(transport);
        services.AddSingleton(options);
        services.AddSingleton<NotificationSender>();
        services.AddSingleton(new NotificationWorkerSettings(run, TimeSpan.FromSeconds(1)));
        services.AddHostedService<NotificationWorker>();
    }
}

internal sealed record NotificationWorkerSettings(bool Enabled, TimeSpan Poll);

/// <summary>Runs the <see cref="NotificationSender"/> in the background: a pass, then another at once while there was work, else after a pause.</summary>
internal sealed partial class NotificationWorker(
    NotificationSender sender, IMailTransport transport, NotificationWorkerSettings settings, WallClock wall, ILogger<NotificationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            LogDisabled(logger);
            return;
        }
        LogStarted(logger, transport.Description);
        await WorkerLoop.RunAsync(sender.RunOnceAsync, settings.Poll, wall.Time, ex => LogPassFailed(logger, ex), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notifications: sent as {Transport}")]
    private static partial void LogStarted(ILogger logger, string transport);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notifications: the worker is off (--notifications-worker false); notifications are decided and stay queued")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notifications: a pass of the worker failed; it tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
