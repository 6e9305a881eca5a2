using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>What `create` or `exec` hands the stage process it starts (sent as JSON over an inherited pipe, see <see cref="InitRequestJson"/>).</summary>
public sealed class InitRequest
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public RuntimeSpec Spec { get; set; } = new();

    /// <summary>The process to run; for an init it is <c>Spec.Process</c>.</summary>
    public Process Process { get; set; } = new();

    public string? ExecFifo { get; set; }
    public string? ConsoleSocket { get; set; }
    public int PreserveFds { get; set; }
    public bool NoPivot { get; set; }

    /// <summary>--no-new-keyring: keep the caller's session keyring instead of a new one named after the container.</summary>
    public bool NoNewKeyring { get; set; }

    /// <summary>For exec: the container init's pid, whose mount namespace the stage joins itself.</summary>
    public int ContainerPid { get; set; }
    public bool Detach { get; set; }

    /// <summary>Whether the stage unshares the cgroup namespace itself, after `create` moved it into its cgroup.</summary>
    public bool UnshareCgroupNamespace { get; set; }

    /// <summary>
    /// For an init in a user namespace of its own without a cgroup namespace, where the kernel refuses to mount
    /// cgroupfs: the container's own cgroup directory on the host per hierarchy, keyed as in /proc/self/cgroup
    /// ("cpu,cpuacct", "name=systemd", "" for cgroup2). A cgroup mount bind-mounts these instead, as runc does.
    /// </summary>
    public Dictionary<string, string>? CgroupBinds { get; set; }

    /// <summary>The state JSON for createContainer and startContainer hooks.</summary>
    public string? HookState { get; set; }
}
