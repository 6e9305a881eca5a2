using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;

namespace WebEngine.Engine.Lifecycle;

/// <summary>docker inspect of a container (Docker's ContainerInspectResponse, the fields this engine has).</summary>
public sealed record ContainerDetails
{
    public required string Id { get; init; }

    /// <summary>With Docker's leading '/'.</summary>
    public required string Name { get; init; }

    public required DateTime Created { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required ContainerStateDetails State { get; init; }

    /// <summary>The image id (sha256:...).</summary>
    public required string Image { get; init; }

    public required string ResolvConfPath { get; init; }
    public required string HostnamePath { get; init; }
    public required string HostsPath { get; init; }
    public required string LogPath { get; init; }
    public required int RestartCount { get; init; }
    public string Driver { get; init; } = "overlay2";
    public string Platform { get; init; } = "linux";
    public required string Runtime { get; init; }
    public required ContainerConfig Config { get; init; }
    public required HostConfig HostConfig { get; init; }
    public required IReadOnlyList<MountPoint> Mounts { get; init; }
    public NetworkSettings NetworkSettings { get; init; } = new();
}

/// <summary>inspect's State.</summary>
public sealed record ContainerStateDetails
{
    public required string Status { get; init; }
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }

    /// <summary>Not Docker's: StopSignal was sent and the engine waits for the exit.</summary>
    public bool Stopping { get; init; }

    public bool OOMKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";

    /// <summary>Docker's zero time (0001-01-01T00:00:00Z) until the first start.</summary>
    public DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; init; }

    /// <summary>Null when the container has no healthcheck (or has not run one since the engine started).</summary>
    public ContainerHealth? Health { get; init; }
}

/// <summary>One row of docker ps (Docker's ContainerSummary).</summary>
public sealed record ContainerSummary
{
    public required string Id { get; init; }

    /// <summary>Each with a leading '/'.</summary>
    public required IReadOnlyList<string> Names { get; init; }

    /// <summary>The image as the user named it.</summary>
    public required string Image { get; init; }

    public required string ImageId { get; init; }
    public required string Command { get; init; }

    /// <summary>Unix seconds.</summary>
    public required long Created { get; init; }

    /// <summary>Docker's machine value: created, running, paused, restarting, removing, exited, dead.</summary>
    public required string State { get; init; }

    /// <summary>The human text: "Up 5 minutes", "Exited (0) 5 minutes ago".</summary>
    public required string Status { get; init; }

    /// <summary>The healthcheck's status (starting, healthy, unhealthy), or null without a healthcheck.</summary>
    public string? Health { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required IReadOnlyList<MountPoint> Mounts { get; init; }
    public required string NetworkMode { get; init; }

    /// <summary>Published and exposed ports.</summary>
    public IReadOnlyList<PortSummary> Ports { get; init; } = [];

    /// <summary>Network name → the container's endpoint on it (docker ps's NetworkSettings.Networks).</summary>
    public IReadOnlyDictionary<string, EndpointSettings> Networks { get; init; } = new Dictionary<string, EndpointSettings>();
}
