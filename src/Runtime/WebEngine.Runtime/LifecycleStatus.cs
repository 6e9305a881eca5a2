namespace WebEngine.Runtime;

/// <summary>A container's status in the OCI lifecycle (plus runc's paused).</summary>
public enum LifecycleStatus
{
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
}

/// <summary>The operations whose legality depends on the status, and the one place that checks it.</summary>
public enum LifecycleOperation
{
    Start,
    Kill,
    Delete,
    Pause,
    Resume,
    Exec,
}

public static class LifecycleRules
{
    public static string ToOciString(this LifecycleStatus status) => status switch
    {
        LifecycleStatus.Creating => Oci.ContainerStatus.Creating,
        LifecycleStatus.Created => Oci.ContainerStatus.Created,
        LifecycleStatus.Running => Oci.ContainerStatus.Running,
        LifecycleStatus.Paused => Oci.ContainerStatus.Paused,
        _ => Oci.ContainerStatus.Stopped,
    };

    /// <summary>Whether <paramref name="operation"/> may run in <paramref name="status"/>; delete of a live container needs force.</summary>
    public static bool Allows(LifecycleOperation operation, LifecycleStatus status, bool force = false) => operation switch
    {
        LifecycleOperation.Start => status == LifecycleStatus.Created,
        LifecycleOperation.Kill => status is LifecycleStatus.Created or LifecycleStatus.Running or LifecycleStatus.Paused,
        LifecycleOperation.Delete => force || status is LifecycleStatus.Stopped or LifecycleStatus.Created,
        LifecycleOperation.Pause => status == LifecycleStatus.Running,
        LifecycleOperation.Resume => status == LifecycleStatus.Paused,
        LifecycleOperation.Exec => status is LifecycleStatus.Created or LifecycleStatus.Running,
        _ => false,
    };

    /// <summary>Throws <see cref="IllegalTransitionException"/> unless <paramref name="operation"/> is allowed.</summary>
    public static void Require(LifecycleOperation operation, string id, LifecycleStatus status, bool force = false)
    {
        if (!Allows(operation, status, force))
            throw new IllegalTransitionException(id, operation.ToString().ToLowerInvariant(), status);
    }
}
