namespace WebEngine.Engine.Containers;

/// <summary>
/// The portable part of a container's configuration (Docker's <c>ContainerConfig</c>), as the engine
/// stores it: after <see cref="ContainerConfigMerge"/> it holds the image's defaults too.
/// </summary>
public sealed record ContainerConfig
{
    public string Image { get; init; } = "";

    /// <summary>null means "not given" (the image's Cmd applies); an empty list means "none".</summary>
    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>null means "not given" (the image's Entrypoint applies); <c>[]</c> or <c>[""]</c> resets it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>KEY=value entries; a later entry for the same key wins.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    public string? WorkingDir { get; init; }

    /// <summary>user, uid, user:group or uid:gid, resolved against the rootfs's /etc/passwd and /etc/group.</summary>
    public string? User { get; init; }

    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? Hostname { get; init; }
    public string? Domainname { get; init; }
    public string? StopSignal { get; init; }

    /// <summary>Seconds to wait after StopSignal before SIGKILL; null means the engine's default (10).</summary>
    public int? StopTimeout { get; init; }

    public HealthConfig? Healthcheck { get; init; }

    /// <summary>"port/proto" keys such as "80/tcp".</summary>
    public IReadOnlySet<string> ExposedPorts { get; init; } = new HashSet<string>();

    /// <summary>Container paths that get an anonymous volume.</summary>
    public IReadOnlySet<string> Volumes { get; init; } = new HashSet<string>();
}
