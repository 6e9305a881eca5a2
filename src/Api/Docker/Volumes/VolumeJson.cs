using System.Text.Json.Serialization;
using WebEngine.Engine.Volumes;

namespace WebEngine.Api.Docker;

/// <summary>A volume as Docker's API shows it (`GET /volumes/{name}`, the rows of `GET /volumes`).</summary>
public sealed record VolumeJson(
    string Name,
    string Driver,
    string Mountpoint,
    string CreatedAt,
    IReadOnlyDictionary<string, string> Labels,
    string Scope,
    IReadOnlyDictionary<string, string>? Options,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VolumeUsageJson? UsageData = null)
{
    public static VolumeJson From(VolumeDetails volume, VolumeUsageJson? usage = null) => new(
        volume.Name, volume.Driver, volume.Mountpoint, DockerTime.Format(volume.CreatedAt), volume.Labels, volume.Scope,
        volume.Options.Count == 0 ? null : volume.Options, usage);
}

/// <summary>Size in bytes and the number of containers that mount the volume (system df); -1 when not computed.</summary>
public sealed record VolumeUsageJson(long Size, long RefCount);

public sealed record VolumeListJson(IReadOnlyList<VolumeJson> Volumes, IReadOnlyList<string> Warnings);

/// <summary>The body of POST /volumes/create.</summary>
public sealed record VolumeCreateJson(
    string? Name,
    string? Driver,
    Dictionary<string, string>? DriverOpts,
    Dictionary<string, string>? Labels);

public sealed record VolumePruneJson(IReadOnlyList<string> VolumesDeleted, long SpaceReclaimed);
