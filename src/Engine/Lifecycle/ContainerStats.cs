namespace WebEngine.Engine.Lifecycle;

/// <summary>One sample of a container's resource use (the parts of Docker's StatsResponse a cgroup and the network namespace give).</summary>
public sealed record ContainerStats
{
    public required DateTime Read { get; init; }

    /// <summary>CPU time of the container's processes, in nanoseconds.</summary>
    public required long CpuTotalUsage { get; init; }

    /// <summary>CPU time of the whole host (all CPUs, /proc/stat), in nanoseconds: the denominator of docker stats' CPU %.</summary>
    public required long SystemCpuUsage { get; init; }

    public required int OnlineCpus { get; init; }
    public required long MemoryUsage { get; init; }

    /// <summary>The memory limit, or the host's memory when there is none.</summary>
    public required long MemoryLimit { get; init; }

    /// <summary>memory.stat as the kernel reports it (inactive_file or total_inactive_file is what docker stats subtracts).</summary>
    public required IReadOnlyDictionary<string, long> MemoryStat { get; init; }

    public required long PidsCurrent { get; init; }

    /// <summary>The pids limit; null when unlimited.</summary>
    public long? PidsLimit { get; init; }

    public required IReadOnlyList<BlockIoEntry> BlockIo { get; init; }

    /// <summary>Traffic per network interface of the container's own namespace (none with --network host), loopback left out.</summary>
    public IReadOnlyDictionary<string, NetworkCounters> Networks { get; init; } = new Dictionary<string, NetworkCounters>();
}

/// <summary>Bytes read or written on one block device (op "read" or "write").</summary>
public sealed record BlockIoEntry(long Major, long Minor, string Op, long Value);

/// <summary>docker top: column titles and one row per process.</summary>
public sealed record ContainerTop(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);
