namespace WebEngine.Engine.Volumes;

/// <summary>A volume as docker volume inspect shows it.</summary>
public sealed record VolumeDetails(
    string Name,
    string Driver,
    string Mountpoint,
    DateTime CreatedAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Options,
    bool Anonymous)
{
    public string Scope => "local";
}

/// <summary>What docker volume prune removed and the bytes it freed.</summary>
public sealed record VolumePruneResult(IReadOnlyList<string> VolumesDeleted, long SpaceReclaimed);

/// <summary>A volume a container's mount resolved to; <see cref="Created"/> when the mount made it.</summary>
public sealed record ResolvedVolume(string Name, string Path, bool Created);
