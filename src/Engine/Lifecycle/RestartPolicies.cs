using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Lifecycle;

/// <summary>Docker's restart rules: which exits restart a container, and the back-off between restarts.</summary>
public static class RestartPolicies
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaximumDelay = TimeSpan.FromMinutes(1);

    /// <summary>A container that ran this long before it exited starts over with the initial delay.</summary>
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After an exit while the engine runs: a container stopped or killed by hand never restarts; "always" and
    /// "unless-stopped" restart it; "on-failure" restarts a non-zero exit while the retries last.
    /// </summary>
    public static bool ShouldRestart(RestartPolicy policy, int exitCode, bool manuallyStopped, int restartCount)
    {
        if (manuallyStopped)
            return false;
        return policy.Name switch
        {
            "always" or "unless-stopped" => true,
            "on-failure" => exitCode != 0 && (policy.MaximumRetryCount == 0 || restartCount < policy.MaximumRetryCount),
            _ => false,
        };
    }

    /// <summary>When the engine starts: "always" restarts even a container stopped by hand, "unless-stopped" only one that was not.</summary>
    public static bool ShouldRestartOnEngineStart(RestartPolicy policy, int exitCode, bool manuallyStopped, int restartCount) => policy.Name switch
    {
        "always" => true,
        "unless-stopped" => !manuallyStopped,
        "on-failure" => !manuallyStopped && exitCode != 0 && (policy.MaximumRetryCount == 0 || restartCount < policy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>Docker's back-off: 100 ms, doubling each restart up to a minute, back to 100 ms after a run of 10 s or more.</summary>
    public static TimeSpan NextDelay(TimeSpan previous, TimeSpan ranFor)
    {
        if (ranFor >= ResetAfter || previous == TimeSpan.Zero)
            return InitialDelay;
        var doubled = previous * 2;
        return doubled > MaximumDelay ? MaximumDelay : doubled;
    }
}
