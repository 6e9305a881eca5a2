using System.Text.Json.Serialization;
using WebEngine.Oci;

namespace WebEngine.Runtime;

/// <summary>What the runtime keeps about a container in its state directory (state.json) between invocations.</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }

    /// <summary>The init's start time from /proc/&lt;pid&gt;/stat, so a reused pid is not taken for the container.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }

    [JsonPropertyName("created")] public DateTime Created { get; set; }

    /// <summary>The cgroup path relative to each hierarchy's root, or null when the container has no cgroup.</summary>
    [JsonPropertyName("cgroupPath")] public string? CgroupPath { get; set; }

    [JsonPropertyName("owner")] public string Owner { get; set; } = "";

    /// <summary>The config.json the container was created from (hooks, process defaults for exec, annotations).</summary>
    [JsonPropertyName("spec")] public RuntimeSpec Spec { get; set; } = new();
}
