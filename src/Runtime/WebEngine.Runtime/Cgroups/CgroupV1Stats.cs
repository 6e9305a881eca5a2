namespace WebEngine.Runtime.Cgroups;

/// <summary>Reads <see cref="CgroupStats"/> from cgroup v1 files (cpuacct, memory, pids, blkio).</summary>
internal static class CgroupV1Stats
{
    /// <summary>cpuacct.stat counts USER_HZ ticks, which is 100 per second on Linux.</summary>
    private const ulong NanosPerTick = 10_000_000;

    /// <summary>memory.limit_in_bytes when unlimited: PAGE_COUNTER_MAX pages, about LONG_MAX rounded to pages.</summary>
    private const ulong UnlimitedMemory = 0x7FFFFFFFFFFFF000;

    public static CgroupStats Read(IReadOnlyDictionary<string, string> directories)
    {
        ulong cpuUsage = 0, cpuUser = 0, cpuSystem = 0;
        if (directories.TryGetValue("cpuacct", out var cpuacct))
        {
            cpuUsage = CgroupFile.ReadNumber(cpuacct, "cpuacct.usage") ?? 0;
            if (CgroupFile.Exists(cpuacct, "cpuacct.usage_user"))
            {
                cpuUser = CgroupFile.ReadNumber(cpuacct, "cpuacct.usage_user") ?? 0;
                cpuSystem = CgroupFile.ReadNumber(cpuacct, "cpuacct.usage_sys") ?? 0;
            }
            else
            {
                var stat = CgroupFile.ReadKeyValues(cpuacct, "cpuacct.stat");
                cpuUser = stat.GetValueOrDefault("user") * NanosPerTick;
                cpuSystem = stat.GetValueOrDefault("system") * NanosPerTick;
            }
        }

        ulong memoryUsage = 0, memoryLimit = 0, memoryMax = 0, memoryCache = 0;
        if (directories.TryGetValue("memory", out var memory))
        {
            memoryUsage = CgroupFile.ReadNumber(memory, "memory.usage_in_bytes") ?? 0;
            memoryLimit = CgroupFile.ReadNumber(memory, "memory.limit_in_bytes") ?? 0;
            if (memoryLimit >= UnlimitedMemory)
                memoryLimit = 0;
            memoryMax = CgroupFile.ReadNumber(memory, "memory.max_usage_in_bytes") ?? 0;
            var stat = CgroupFile.ReadKeyValues(memory, "memory.stat");
            memoryCache = stat.TryGetValue("total_cache", out var totalCache) ? totalCache : stat.GetValueOrDefault("cache");
        }

        ulong pidsCurrent = 0, pidsLimit = 0;
        if (directories.TryGetValue("pids", out var pids))
        {
            pidsCurrent = CgroupFile.ReadNumber(pids, "pids.current") ?? 0;
            pidsLimit = CgroupFile.ReadNumber(pids, "pids.max") ?? 0;
        }

        ulong read = 0, write = 0;
        if (directories.TryGetValue("blkio", out var blkio))
        {
            // "major:minor Read|Write|Sync|Async|Discard|Total bytes" lines, then a "Total bytes" line. BFQ counts
            // every request it schedules; the throttle layer counts only on a disk where some cgroup ever had a
            // throttle rule (this 6.18 kernel sets it up on first use), so BFQ's figures come first where it runs.
            var text = CgroupFile.ReadIfExists(blkio, "blkio.bfq.io_service_bytes_recursive") is { Length: > 0 } bfq
                ? bfq
                : CgroupFile.ReadIfExists(blkio, "blkio.throttle.io_service_bytes_recursive") ?? "";
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ');
                if (parts.Length != 3 || !ulong.TryParse(parts[2], out var bytes))
                    continue;
                if (parts[1] == "Read")
                    read += bytes;
                else if (parts[1] == "Write")
                    write += bytes;
            }
        }

        return new CgroupStats(cpuUsage, cpuUser, cpuSystem, memoryUsage, memoryLimit, memoryMax, memoryCache,
            pidsCurrent, pidsLimit, read, write);
    }
}
