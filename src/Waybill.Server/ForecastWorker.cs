using Waybill.Notifications;
using Waybill.Persistence;
using Waybill.Tracking;

namespace Waybill.Server;

/// <summary>The lane forecasts (one per process, read by the shipment views) and the sweep that learns them and decides the predictive notifications.</summary>
internal static class ForecastConfiguration
{
    public static void AddForecasts(this IServiceCollection services)
    {
        services.AddSingleton(DeliveryForecasts.Default);
        services.AddSingleton(sp => new ForecastSweep(sp.GetRequiredService<Storage>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<DeliveryForecasts>()));
        services.AddHostedService<ForecastWorker>();
    }
}

/// <summary>
/// Runs the <see cref="ForecastSweep"/> every 30 seconds of real time (relearning each tenant's lanes every 10 minutes), then decides
/// <c>approaching_customs</c>, <c>delayed</c> and <c>stalled</c>. With <c>--notifications-worker false</c> it decides
/// nothing and only relearns the lanes every 10 minutes, so the replica's shipment views show them.
/// </summary>
internal sealed partial class ForecastWorker(ForecastSweep sweep, NotificationWorkerSettings settings, WallClock wall, ILogger<ForecastWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!settings.Enabled)
                {
                    // A replica that does not send still learns the lanes, every 10 minutes, for its shipment views.
                    await sweep.LearnAllAsync(stoppingToken);
                    await Task.Delay(Every * ForecastSweep.LearnEvery, wall.Time, stoppingToken);
                    continue;
                }
                var r = await sweep.RunOnceAsync(stoppingToken);
                LogSwept(logger, r.Learned, r.Active, r.ApproachingCustoms, r.Delayed, r.Stalled);
                if (r.FailedTenants > 0)
                {
                    LogTenantsFailed(logger, r.FailedTenants, r.FirstError);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep (the database away) is logged and tried again at the next.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSweepFailed(logger, ex);
            }
            try
            {
                await Task.Delay(Every, wall.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forecasts: learned from {Learned} deliveries; {Active} shipments on their way; decided {Approaching} approaching customs, {Delayed} delayed, {Stalled} stalled")]
    private static partial void LogSwept(ILogger logger, int learned, int active, int approaching, int delayed, int stalled);

    [LoggerMessage(Level = LogLevel.Error, Message = "Forecasts: the sweep failed for {Count} tenants (the others were swept); first: {Error}")]
    private static partial void LogTenantsFailed(ILogger logger, int count, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Forecasts: a sweep failed; the next tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
