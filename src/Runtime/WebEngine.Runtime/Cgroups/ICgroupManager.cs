using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>One container's cgroup, whatever the host's cgroup version (v1, v2 or hybrid).</summary>
public interface ICgroupManager
{
    /// <summary>The cgroup path relative to each hierarchy's root, e.g. "/webengine/abc".</summary>
    string Path { get; }

    /// <summary>Creates the cgroup directories in every hierarchy it uses.</summary>
    void Create();

    /// <summary>Moves a process (and, on v1, into every hierarchy) into the cgroup.</summary>
    void AddProcess(int pid);

    /// <summary>Writes the limits of <paramref name="resources"/>; fields left null stay as they are.</summary>
    void Apply(LinuxResources resources);

    void Freeze();
    void Thaw();
    bool IsFrozen();

    /// <summary>The pids in the cgroup (including descendants' cgroups).</summary>
    IReadOnlyList<int> GetPids();

    CgroupStats GetStats();

    /// <summary>Removes the cgroup directories; the cgroup must hold no process.</summary>
    void Remove();
}

/// <summary>Resource usage read from a cgroup.</summary>
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
