namespace WebEngine.Engine.Containers;

/// <summary>
/// One mount a container asked for, normalized from HostConfig.Binds, Mounts or Tmpfs: what the
/// bundle builder turns into an OCI mount.
/// </summary>
public sealed record ContainerMount
{
    public MountType Type { get; init; }

    /// <summary>Absolute host path for a bind; volume name for a volume ("" is anonymous); unused for tmpfs.</summary>
    public string Source { get; init; } = "";
    public string Target { get; init; } = "";
    public bool ReadOnly { get; init; }

    /// <summary>rprivate unless the user chose another mode.</summary>
    public string Propagation { get; init; } = "rprivate";
    public bool Recursive { get; init; } = true;

    /// <summary>Copy the image's content at Target into a new volume (Docker's default; "nocopy" turns it off).</summary>
    public bool CopyImageData { get; init; } = true;

    /// <summary>A bind from HostConfig.Binds whose missing source directory is created, as Docker does.</summary>
    public bool CreateSourceIfMissing { get; init; }

    /// <summary>tmpfs mount data such as "size=65536k,mode=1777".</summary>
    public IReadOnlyList<string> TmpfsOptions { get; init; } = [];
}
