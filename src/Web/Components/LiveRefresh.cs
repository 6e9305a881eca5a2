using WebEngine.Engine.Events;

namespace WebEngine.Web.Components;

/// <summary>
/// Runs a page's refresh when something changed, at most once per <see cref="MinimumInterval"/>: a burst of events
/// gives one reload, and the reload after the last event of a burst is never skipped.
/// </summary>
public sealed class LiveRefresh(Func<CancellationToken, Task> refresh, CancellationToken closed)
{
    private int _requested;
    private int _running;

    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public void Request()
    {
        Interlocked.Exchange(ref _requested, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _requested, 0) == 1 && !closed.IsCancellationRequested)
            {
                await refresh(closed);
                await Task.Delay(MinimumInterval, closed);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _running, 0);
            if (Volatile.Read(ref _requested) == 1 && !closed.IsCancellationRequested)
                Request();
        }
    }

    /// <summary>Requests a refresh for every event that matches <paramref name="filter"/> until the page closes.</summary>
    public async Task FollowAsync(EventLog events, EventFilter filter)
    {
        try
        {
            await foreach (var _ in events.SubscribeAsync(filter, null, null, closed))
                Request();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
