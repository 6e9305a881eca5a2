using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Bundles;

/// <summary>The container's cgroup limits, mapped from HostConfig as Docker maps them.</summary>
internal static class ResourcesSpec
{
    /// <summary>The CFS period NanoCpus is expressed in: 100 ms.</summary>
    public const long CpuPeriod = 100_000;

    public static LinuxResources Create(HostConfig host, bool swapLimitSupported, List<LinuxDeviceCgroup> deviceRules) => new()
    {
        Devices = deviceRules,
        Memory = Memory(host, swapLimitSupported),
        Cpu = Cpu(host),
        Pids = host.PidsLimit switch
        {
            null => null,
            // 0 and negative mean "unlimited"; runc needs -1 to lift a limit.
            <= 0 => new LinuxPids { Limit = -1 },
            var limit => new LinuxPids { Limit = limit },
        },
    };

    private static LinuxMemory? Memory(HostConfig host, bool swapLimitSupported)
    {
        var memory = new LinuxMemory();
        if (host.Memory > 0)
            memory.Limit = host.Memory;
        if (host.MemoryReservation > 0)
            memory.Reservation = host.MemoryReservation;
        if (swapLimitSupported)
        {
            // Docker's default: as much swap as memory (MemorySwap counts both).
            if (host.MemorySwap != 0)
                memory.Swap = host.MemorySwap;
            else if (host.Memory > 0)
                memory.Swap = host.Memory * 2;
        }
        if (host.MemorySwappiness is >= 0 and var swappiness)
            memory.Swappiness = (ulong)swappiness;
        return memory is { Limit: null, Reservation: null, Swap: null, Swappiness: null } ? null : memory;
    }

    private static LinuxCpu? Cpu(HostConfig host)
    {
        var cpu = new LinuxCpu();
        if (host.CpuShares > 0)
            cpu.Shares = (ulong)host.CpuShares;
        if (host.NanoCpus > 0)
        {
            cpu.Period = CpuPeriod;
            cpu.Quota = host.NanoCpus * CpuPeriod / 1_000_000_000;
        }
        if (host.CpuPeriod > 0)
            cpu.Period = (ulong)host.CpuPeriod;
        if (host.CpuQuota != 0)
            cpu.Quota = host.CpuQuota;
        if (!string.IsNullOrEmpty(host.CpusetCpus))
            cpu.Cpus = host.CpusetCpus;
        if (!string.IsNullOrEmpty(host.CpusetMems))
            cpu.Mems = host.CpusetMems;
        return cpu is { Shares: null, Period: null, Quota: null, Cpus: null, Mems: null } ? null : cpu;
    }
}
