using WebEngine.Engine;
using WebEngine.Engine.Containers;

namespace WebEngine.Api.Docker.Containers;

/// <summary>One entry of HostConfig.Mounts (Docker's `Mount`), as `docker run --mount` sends it.</summary>
public sealed class MountJson
{
    public string? Type { get; set; }
    public string? Source { get; set; }
    public string? Target { get; set; }
    public bool ReadOnly { get; set; }
    public string? Consistency { get; set; }
    public BindOptionsJson? BindOptions { get; set; }
    public VolumeOptionsJson? VolumeOptions { get; set; }
    public TmpfsOptionsJson? TmpfsOptions { get; set; }

    public MountSpec ToEngine()
    {
        var type = Type switch
        {
            "bind" => MountType.Bind,
            "volume" => MountType.Volume,
            "tmpfs" => MountType.Tmpfs,
            _ => throw new InvalidArgumentException($"invalid mount config: mount type \"{Type}\" is not supported: use bind, volume or tmpfs"),
        };
        if (VolumeOptions?.DriverConfig is { Name: { Length: > 0 } driver } && driver != "local")
            throw new InvalidArgumentException($"invalid mount config: volume driver \"{driver}\" is not supported: only local");
        if (VolumeOptions?.Subpath is { Length: > 0 })
            throw new InvalidArgumentException("invalid mount config: volume subpaths are not supported");
        return new MountSpec
        {
            Type = type,
            Source = Source ?? "",
            Target = Target ?? "",
            ReadOnly = ReadOnly,
            BindPropagation = ContainerConfigJson.NullIfEmpty(BindOptions?.Propagation),
            BindNonRecursive = BindOptions?.NonRecursive ?? false,
            VolumeNoCopy = VolumeOptions?.NoCopy ?? false,
            VolumeLabels = VolumeOptions?.Labels ?? new Dictionary<string, string>(),
            TmpfsSizeBytes = TmpfsOptions?.SizeBytes ?? 0,
            TmpfsMode = TmpfsOptions?.Mode is { } mode and > 0 ? (UnixFileMode)mode : null,
        };
    }

    public static MountJson From(MountSpec mount) => new()
    {
        Type = mount.Type.ToString().ToLowerInvariant(),
        Source = mount.Source,
        Target = mount.Target,
        ReadOnly = mount.ReadOnly,
        BindOptions = mount.Type == MountType.Bind ? new BindOptionsJson { Propagation = mount.BindPropagation, NonRecursive = mount.BindNonRecursive } : null,
        VolumeOptions = mount.Type == MountType.Volume ? new VolumeOptionsJson { NoCopy = mount.VolumeNoCopy, Labels = new Dictionary<string, string>(mount.VolumeLabels) } : null,
        TmpfsOptions = mount.Type == MountType.Tmpfs ? new TmpfsOptionsJson { SizeBytes = mount.TmpfsSizeBytes, Mode = mount.TmpfsMode is { } mode ? (uint)mode : 0 } : null,
    };
}

public sealed class BindOptionsJson
{
    public string? Propagation { get; set; }
    public bool NonRecursive { get; set; }
}

public sealed class VolumeOptionsJson
{
    public bool NoCopy { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public DriverConfigJson? DriverConfig { get; set; }
    public string? Subpath { get; set; }
}

public sealed class DriverConfigJson
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed class TmpfsOptionsJson
{
    public long SizeBytes { get; set; }
    public uint Mode { get; set; }
}
