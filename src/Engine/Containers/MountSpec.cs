namespace WebEngine.Engine.Containers;

/// <summary>The kinds of mount a container can ask for in <see cref="HostConfig.Mounts"/>.</summary>
public enum MountType
{
    Bind,
    Volume,
    Tmpfs,
}

/// <summary>One entry of HostConfig.Mounts (Docker's <c>Mount</c>).</summary>
public sealed record MountSpec
{
    public MountType Type { get; init; }

    /// <summary>Host path for a bind, volume name for a volume (empty: anonymous), unused for tmpfs.</summary>
    public string Source { get; init; } = "";
    public string Target { get; init; } = "";
    public bool ReadOnly { get; init; }

    /// <summary>Bind propagation: private, rprivate (default), shared, rshared, slave, rslave.</summary>
    public string? BindPropagation { get; init; }

    /// <summary>Mount the bind without its submounts.</summary>
    public bool BindNonRecursive { get; init; }

    /// <summary>Do not copy the image's content at Target into a new volume.</summary>
    public bool VolumeNoCopy { get; init; }
    public IReadOnlyDictionary<string, string> VolumeLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>tmpfs size in bytes; 0 is unlimited.</summary>
    public long TmpfsSizeBytes { get; init; }

    /// <summary>tmpfs permission bits; null is the kernel's 1777.</summary>
    public UnixFileMode? TmpfsMode { get; init; }
}
