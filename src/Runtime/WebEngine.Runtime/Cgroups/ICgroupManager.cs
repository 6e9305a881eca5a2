using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>One container's cgroup, whatever the host's cgroup version (v1, v2 or hybrid).</summary>
public interface ICgroupManager
{
    /// <summary>The cgroup path relative to each hierarchy's root, e.g. "/webengine/abc" (relative paths stay relative to the caller's cgroup).</summary>
    string Path { get; }

    /// <summary>The layout this manager works on (v1 and hybrid hosts use the v1 hierarchies for every controller).</summary>
    CgroupVersion Version { get; }

    /// <summary>The cgroup's directory per v1 controller ("cpu", "memory", "name=systemd", ...) and "" for cgroup2.</summary>
    IReadOnlyDictionary<string, string> Directories { get; }

    /// <summary>Creates the cgroup directories in every hierarchy it uses (v1 cpuset: cpus/mems copied from the parent).</summary>
    void Create();

    /// <summary>Moves a running process into the cgroup (on v1, into every hierarchy): this takes the kernel's global
    /// cgroup lock, which a process started by <see cref="CgroupPlacement"/> does not need.</summary>
    void AddProcess(int pid);

    /// <summary>
    /// Where a process about to start is put in the cgroup without the kernel's global cgroup lock (see
    /// <see cref="CgroupPlacement"/>): the cgroup2 directory it is cloned into (null where cgroup2 is not used) and
    /// the v1 directories it moves itself into before it execs.
    /// </summary>
    (string? CloneInto, IReadOnlyList<string> MoveSelfInto) Placement { get; }

    /// <summary>
    /// Writes the limits of <paramref name="resources"/>; fields left null stay as they are. A value
    /// the kernel refuses throws <see cref="CgroupException"/> naming the file, the value and the errno;
    /// a setting whose controller the host lacks throws too.
    /// </summary>
    void Apply(LinuxResources resources);

    /// <summary>Freezes every process of the cgroup and returns once the kernel reports it frozen.</summary>
    void Freeze();

    /// <summary>Thaws the cgroup and returns once the kernel reports it thawed.</summary>
    void Thaw();

    bool IsFrozen();

    /// <summary>The pids in the cgroup (including descendants' cgroups).</summary>
    IReadOnlyList<int> GetPids();

    CgroupStats GetStats();

    /// <summary>
    /// Removes the container's cgroup directories (and cgroups created below them) and the parent
    /// directories this instance created once they are empty; the cgroup must hold no process.
    /// Removing again is not an error.
    /// </summary>
    void Remove();
}

/// <summary>Resource usage read from a cgroup; a limit of 0 means unlimited, an absent counter reads 0.</summary>
public sealed record CgroupStats(
    ulong CpuUsageNanos,
    ulong CpuUserNanos,
    ulong CpuSystemNanos,
    ulong MemoryUsageBytes,
    ulong MemoryLimitBytes,
    ulong MemoryMaxUsageBytes,
    ulong MemoryCacheBytes,
    ulong PidsCurrent,
    ulong PidsLimit,
    ulong BlockReadBytes,
    ulong BlockWriteBytes);
