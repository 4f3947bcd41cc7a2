namespace Waybill.Server;

/// <summary>
/// The loop of the outbox workers (notifications, webhooks): a pass, then another at once while the pass had work,
/// else after a pause on real time. A failed pass (the database away) is reported and tried again; leases expire
/// meanwhile. Ends when the host stops.
/// </summary>
internal static class WorkerLoop
{
    public static async Task RunAsync(Func<CancellationToken, Task<int>> pass, TimeSpan poll, TimeProvider wall, Action<Exception> failed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await pass(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed pass is reported and tried again; the leases expire meanwhile.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed(ex);
            }
            if (handled == 0)
            {
                try
                {
                    await Task.Delay(poll, wall, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
