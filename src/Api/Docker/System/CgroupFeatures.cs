namespace WebEngine.Api.Docker;

/// <summary>Which resource limits the host's cgroups support, as `docker info` reports them (read from /sys/fs/cgroup).</summary>
public sealed record CgroupFeatures(bool Memory, bool Swap, bool CpuCfs, bool CpuShares, bool CpuSet, bool Pids)
{
    private const string Root = "/sys/fs/cgroup";

    public static CgroupFeatures Detect(string cgroupVersion)
    {
        if (cgroupVersion == "2")
        {
            var controllers = File.Exists(Path.Combine(Root, "cgroup.controllers"))
                ? File.ReadAllText(Path.Combine(Root, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            var memory = controllers.Contains("memory");
            // cgroup v2 limits swap wherever it limits memory (memory.swap.max beside memory.max).
            return new CgroupFeatures(memory, memory,
                controllers.Contains("cpu"), controllers.Contains("cpu"), controllers.Contains("cpuset"), controllers.Contains("pids"));
        }
        return new CgroupFeatures(
            Directory.Exists(Path.Combine(Root, "memory")),
            File.Exists(Path.Combine(Root, "memory", "memory.memsw.limit_in_bytes")),
            File.Exists(Path.Combine(Root, "cpu", "cpu.cfs_period_us")),
            File.Exists(Path.Combine(Root, "cpu", "cpu.shares")),
            Directory.Exists(Path.Combine(Root, "cpuset")),
            Directory.Exists(Path.Combine(Root, "pids")));
    }
}
