namespace WebEngine.Runtime.Cgroups;

/// <summary>Reads <see cref="CgroupStats"/> from cgroup2 files (cpu.stat, memory.*, pids.*, io.stat).</summary>
internal static class CgroupV2Stats
{
    public static CgroupStats Read(string directory)
    {
        var cpu = CgroupFile.ReadKeyValues(directory, "cpu.stat");
        var memoryStat = CgroupFile.ReadKeyValues(directory, "memory.stat");

        ulong read = 0, write = 0;
        // "major:minor rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device.
        foreach (var line in (CgroupFile.ReadIfExists(directory, "io.stat") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var field in line.Split(' ').Skip(1))
            {
                var pair = field.Split('=');
                if (pair.Length != 2 || !ulong.TryParse(pair[1], out var value))
                    continue;
                if (pair[0] == "rbytes")
                    read += value;
                else if (pair[0] == "wbytes")
                    write += value;
            }
        }

        return new CgroupStats(
            CpuUsageNanos: cpu.GetValueOrDefault("usage_usec") * 1000,
            CpuUserNanos: cpu.GetValueOrDefault("user_usec") * 1000,
            CpuSystemNanos: cpu.GetValueOrDefault("system_usec") * 1000,
            MemoryUsageBytes: CgroupFile.ReadNumber(directory, "memory.current") ?? 0,
            MemoryLimitBytes: CgroupFile.ReadNumber(directory, "memory.max") ?? 0,
            MemoryMaxUsageBytes: CgroupFile.ReadNumber(directory, "memory.peak") ?? 0,
            MemoryCacheBytes: memoryStat.GetValueOrDefault("file"),
            PidsCurrent: CgroupFile.ReadNumber(directory, "pids.current") ?? 0,
            PidsLimit: CgroupFile.ReadNumber(directory, "pids.max") ?? 0,
            BlockReadBytes: read,
            BlockWriteBytes: write);
    }
}
