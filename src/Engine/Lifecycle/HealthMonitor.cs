namespace WebEngine.Engine.Lifecycle;

/// <summary>inspect's State.Health: starting, healthy or unhealthy, the failing streak and the last probe results.</summary>
public sealed record ContainerHealth(string Status, int FailingStreak, IReadOnlyList<HealthProbeResult> Log);

/// <summary>One probe run (Docker's HealthcheckResult).</summary>
public sealed record HealthProbeResult(DateTime Start, DateTime End, int ExitCode, string Output);

/// <summary>Docker's health status names.</summary>
public static class HealthStatuses
{
    public const string None = "none";
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}

/// <summary>
/// The health state of one run of a container: records probe results as Docker does (last five kept, a failing
/// streak, unhealthy after Retries consecutive failures outside the start period) and says when the status changed.
/// A run the engine re-attaches to goes on from the state it had stored (<paramref name="restored"/>).
/// </summary>
public sealed class HealthMonitor(int retries, TimeSpan startPeriod, DateTime startedUtc, ContainerHealth? restored = null)
{
    public const int KeptResults = 5;
    public const int MaxOutputBytes = 4096;

    private readonly Lock _lock = new();
    private readonly Queue<HealthProbeResult> _log = new(restored?.Log.TakeLast(KeptResults) ?? []);
    private string _status = restored?.Status ?? HealthStatuses.Starting;
    private int _failingStreak = restored?.FailingStreak ?? 0;

    internal CancellationTokenSource Stop { get; } = new();

    /// <summary>The state as last stored with its event: what inspect and ps show (a result is visible once it is committed).</summary>
    public ContainerHealth Published { get; private set; } = restored ?? new ContainerHealth(HealthStatuses.Starting, 0, []);

    /// <summary>Makes the current state the published one, once it has been stored.</summary>
    public void Publish()
    {
        lock (_lock)
            Published = new ContainerHealth(_status, _failingStreak, [.. _log]);
    }

    /// <summary>Docker probes at StartInterval while the container is starting within its start period.</summary>
    public bool InStartPeriod(DateTime now)
    {
        lock (_lock)
            return _status == HealthStatuses.Starting && now - startedUtc < startPeriod;
    }

    public ContainerHealth Snapshot()
    {
        lock (_lock)
            return new ContainerHealth(_status, _failingStreak, [.. _log]);
    }

    /// <summary>Adds a result; returns the new status when it changed, null otherwise.</summary>
    public string? Record(HealthProbeResult result)
    {
        lock (_lock)
        {
            _log.Enqueue(result);
            while (_log.Count > KeptResults)
                _log.Dequeue();
            var before = _status;
            if (result.ExitCode == 0)
            {
                _failingStreak = 0;
                _status = HealthStatuses.Healthy;
            }
            else if (result.Start - startedUtc >= startPeriod || _status == HealthStatuses.Healthy)
            {
                // Docker: failures in the start period only count once the container has been healthy.
                _failingStreak++;
                if (_failingStreak >= retries)
                    _status = HealthStatuses.Unhealthy;
            }
            return _status == before ? null : _status;
        }
    }
}
