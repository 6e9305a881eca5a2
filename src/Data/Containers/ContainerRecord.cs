namespace WebEngine.Data.Containers;

/// <summary>A container: its configuration as created and its last known state; one row per container.</summary>
public sealed class ContainerRecord
{
    /// <summary>64 lower-case hex digits.</summary>
    public required string Id { get; set; }

    /// <summary>Without Docker's leading '/'; unique.</summary>
    public required string Name { get; set; }

    /// <summary>The image id (sha256:...) the rootfs was built from.</summary>
    public required string ImageId { get; set; }

    /// <summary>The image as the user named it (busybox, busybox:latest, an id).</summary>
    public required string ImageReference { get; set; }

    /// <summary>The container's ContainerConfig after merging with the image's, as JSON.</summary>
    public required string ConfigJson { get; set; }

    /// <summary>The HostConfig as created (or last updated), as JSON.</summary>
    public required string HostConfigJson { get; set; }

    /// <summary>The mounts the bundle got (volumes resolved to their names and paths), as JSON.</summary>
    public string MountsJson { get; set; } = "[]";

    /// <summary>The engine's state machine value (created, running, paused, restarting, stopping, exited, dead, removing).</summary>
    public required string Status { get; set; }

    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public bool OomKilled { get; set; }

    /// <summary>Set by stop and kill; restart policies other than "always" do not restart such a container.</summary>
    public bool ManuallyStopped { get; set; }

    public int RestartCount { get; set; }

    /// <summary>The health of the last run with a healthcheck (status, failing streak, last results) as JSON; null without one.</summary>
    public string? HealthJson { get; set; }

    /// <summary>The configured runtime's name (runc, webengine-runtime...).</summary>
    public required string Runtime { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime? StartedUtc { get; set; }
    public DateTime? FinishedUtc { get; set; }

    /// <summary>Bumped on every change; a stale write (lost update) fails as a concurrency conflict.</summary>
    public long Version { get; set; }

    /// <summary>A detached copy with the same values (every column is a value or an immutable string).</summary>
    public ContainerRecord Copy() => (ContainerRecord)MemberwiseClone();
}
