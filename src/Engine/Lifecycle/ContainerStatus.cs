namespace WebEngine.Engine.Lifecycle;

/// <summary>The engine's container states; <see cref="ContainerStatusNames"/> maps them to Docker's State.Status.</summary>
public enum ContainerStatus
{
    Created,
    Running,
    Paused,

    /// <summary>Waiting out the restart policy's back-off before the next start.</summary>
    Restarting,

    /// <summary>StopSignal was sent and the engine waits for the exit (SIGKILL after the timeout). Docker shows it as running.</summary>
    Stopping,
    Exited,

    /// <summary>The container's shim vanished without leaving an exit status, or its removal failed half-way.</summary>
    Dead,
    Removing,
}

/// <summary>Stored and Docker names of <see cref="ContainerStatus"/>, and which states have a live process.</summary>
public static class ContainerStatusNames
{
    public static string ToStored(ContainerStatus status) => status.ToString().ToLowerInvariant();

    public static ContainerStatus Parse(string stored) =>
        Enum.TryParse<ContainerStatus>(stored, ignoreCase: true, out var status)
            ? status
            : throw new InvalidOperationException($"unknown stored container status \"{stored}\"");

    /// <summary>Docker's State.Status: created, running, paused, restarting, removing, exited, dead.</summary>
    public static string ToDocker(ContainerStatus status) => status switch
    {
        ContainerStatus.Stopping => "running",
        _ => ToStored(status),
    };

    /// <summary>The container has a process (or is about to get one again): what `docker ps` without -a lists.</summary>
    public static bool IsActive(ContainerStatus status) =>
        status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Stopping or ContainerStatus.Restarting;

    public static bool HasProcess(ContainerStatus status) =>
        status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Stopping;
}
