using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;

namespace WebEngine.Engine.Lifecycle;

/// <summary>docker create: the configuration (Config.Image names the image), the host configuration and an optional name.</summary>
public sealed record ContainerCreateRequest(ContainerConfig Config, HostConfig Host, string? Name = null)
{
    /// <summary>One of the engine's configured runtimes; null for the default.</summary>
    public string? Runtime { get; init; }

    /// <summary>NetworkingConfig.EndpointsConfig: network name or id → aliases and address on it.</summary>
    public IReadOnlyDictionary<string, EndpointConfig> Networks { get; init; } = new Dictionary<string, EndpointConfig>();
}

public sealed record ContainerCreateResult(string Id, IReadOnlyList<string> Warnings);

/// <summary>The conditions of docker wait.</summary>
public enum WaitCondition
{
    /// <summary>Answer at once if the container is not running, else at its exit.</summary>
    NotRunning,

    /// <summary>Answer at the next exit, whatever the state now.</summary>
    NextExit,

    /// <summary>Answer when the container has been removed.</summary>
    Removed,
}

/// <summary>How a container's process ended: Docker's wait answer (StatusCode, Error).</summary>
public sealed record ContainerExit(int ExitCode, string? Error = null);

/// <summary>
/// A wait that is registered (so an exit after this point is not missed, which is what `docker run` relies on when it
/// waits before it starts); <see cref="Result"/> completes with the exit.
/// </summary>
public sealed record ContainerWaiter(string ContainerId, Task<ContainerExit> Result);

/// <summary>docker ps options: all, limit and Docker's filters (status, name, label, id, ancestor, exited).</summary>
public sealed record ContainerListOptions
{
    public bool All { get; init; }
    public int? Limit { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Filters { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}
