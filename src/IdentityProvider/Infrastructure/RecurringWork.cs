namespace IdentityProvider.Infrastructure;

/// <summary>The loop of a background service that does one round of work every interval until the host stops.</summary>
internal static class RecurringWork
{
    /// <summary>
    /// Waits <paramref name="interval"/>, runs <paramref name="round"/>, and again. A failed round is
    /// reported to <paramref name="onFailure"/> and the next one comes at the next interval, so a
    /// database outage never ends the service. One timer per wait rather than a PeriodicTimer: when
    /// the clock jumps (a suspended host resumed, or a test's fake clock moved by days) the loop
    /// runs once, not once for every interval that was missed.
    /// </summary>
    public static async Task RunAsync(TimeProvider time, TimeSpan interval, Func<CancellationToken, Task> round, Action<Exception> onFailure,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await round(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                onFailure(ex);
            }
        }
    }
}
