using WebEngine.Oci;

namespace WebEngine.Runtime;

/// <summary>What the runtime keeps about a container in its state directory (state.json) between invocations.</summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public int Pid { get; set; }

    /// <summary>The init's start time from /proc/&lt;pid&gt;/stat, so a reused pid is not taken for the container.</summary>
    public ulong PidStartTime { get; set; }

    public DateTime Created { get; set; }

    /// <summary>The cgroup path relative to each hierarchy's root, or null when the container has no cgroup.</summary>
    public string? CgroupPath { get; set; }

    /// <summary>The host's cgroup mounts (their /proc/self/mountinfo lines) when the container was created.</summary>
    public string? CgroupMounts { get; set; }

    /// <summary>
    /// The creator's /proc/self/cgroup: a relative cgroupsPath is resolved against it at every later step too, so
    /// that a delete run from another cgroup still finds the container's cgroup (the spec's "consistently attach").
    /// </summary>
    public string? CallerCgroups { get; set; }

    public string Owner { get; set; } = "";

    /// <summary>The config.json the container was created from (hooks, process defaults for exec, annotations).</summary>
    public RuntimeSpec Spec { get; set; } = new();

    public string OciVersion => Spec.OciVersion;

    public Dictionary<string, string>? Annotations => Spec.Annotations;

    /// <summary>linux.cgroupsPath of the spec.</summary>
    public string? CgroupsPath => Spec.Linux?.CgroupsPath;

    public Oci.Hooks? Hooks => Spec.Hooks;
}
