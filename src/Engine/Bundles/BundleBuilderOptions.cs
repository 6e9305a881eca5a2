using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;

namespace WebEngine.Engine.Bundles;

/// <summary>How the engine's host is set up, for <see cref="BundleBuilder"/>.</summary>
public sealed record BundleBuilderOptions
{
    /// <summary>The data root's containers/ directory: each bundle goes to containers/&lt;id&gt;/.</summary>
    public required string ContainersDirectory { get; init; }

    /// <summary>Host path of the init binary (tini, docker-init) for HostConfig.Init; null when none is installed.</summary>
    public string? InitBinary { get; init; }

    /// <summary>Each container's cgroup is &lt;CgroupParent&gt;/&lt;id&gt;.</summary>
    public string CgroupParent { get; init; } = "/webengine";

    public string HostResolvConf { get; init; } = "/etc/resolv.conf";
    public string HostHosts { get; init; } = "/etc/hosts";

    public SeccompTarget Seccomp { get; init; } = SeccompTarget.Current;

    /// <summary>
    /// The cgroup namespace mode of a container that asks for none: Docker's daemon default is "private" on a cgroup v2
    /// host and "host" on v1.
    /// </summary>
    public string DefaultCgroupnsMode { get; init; } = File.Exists("/sys/fs/cgroup/cgroup.controllers") ? NamespaceModes.Private : NamespaceModes.Host;

    /// <summary>The container's cgroup namespace mode: its own, else the daemon's default.</summary>
    public string CgroupnsModeOf(HostConfig host) => host.CgroupnsMode is { Length: > 0 } mode ? mode : DefaultCgroupnsMode;

    /// <summary>The memory controller can limit swap (cgroup v1 needs swapaccount=1 for memory.memsw.*).</summary>
    public bool SwapLimitSupported { get; init; } =
        File.Exists("/sys/fs/cgroup/cgroup.controllers") || File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
}
