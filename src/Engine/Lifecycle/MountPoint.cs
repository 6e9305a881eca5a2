using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebEngine.Engine.Lifecycle;

/// <summary>One of a container's mounts as Docker reports it (inspect's Mounts, ps's Mounts); volumes by name.</summary>
public sealed record MountPoint
{
    /// <summary>bind, volume or tmpfs.</summary>
    public string Type { get; init; } = "";

    /// <summary>The volume's name (empty for binds and tmpfs).</summary>
    public string Name { get; init; } = "";

    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    public string Driver { get; init; } = "";
    public string Mode { get; init; } = "";

    [JsonPropertyName("RW")] public bool ReadWrite { get; init; } = true;
    public string Propagation { get; init; } = "";

    /// <summary>The volume was made for this container alone: `rm -v` and AutoRemove delete it.</summary>
    public bool Anonymous { get; init; }

    public static IReadOnlyList<MountPoint> ParseList(string json) => JsonSerializer.Deserialize<List<MountPoint>>(json) ?? [];

    public static string Serialize(IReadOnlyList<MountPoint> mounts) => JsonSerializer.Serialize(mounts);
}
