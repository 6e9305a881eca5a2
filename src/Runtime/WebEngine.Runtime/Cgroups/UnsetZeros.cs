using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>
/// Reads a zero in the fields where zero is not a usable limit as "not set", as runc does. dockerd
/// always sends blockIO.weight, cpu.shares, cpu.quota, cpu.period and the realtime values, with 0
/// when the user set nothing; writing them would fail (blkio.bfq.weight "0": ERANGE) or remove the
/// host's defaults.
/// </summary>
internal static class UnsetZeros
{
    public static LinuxResources Normalize(LinuxResources r) => new()
    {
        Devices = r.Devices,
        Memory = r.Memory is { } m
            ? new LinuxMemory
            {
                Limit = NullIfZero(m.Limit),
                Reservation = NullIfZero(m.Reservation),
                Swap = NullIfZero(m.Swap),
                Kernel = NullIfZero(m.Kernel),
                KernelTcp = NullIfZero(m.KernelTcp),
                Swappiness = m.Swappiness,
                DisableOomKiller = m.DisableOomKiller,
                UseHierarchy = m.UseHierarchy,
                CheckBeforeUpdate = m.CheckBeforeUpdate,
            }
            : null,
        Cpu = r.Cpu is { } c
            ? new LinuxCpu
            {
                Shares = c.Shares is 0 ? null : c.Shares,
                Quota = NullIfZero(c.Quota),
                Burst = c.Burst,
                Period = c.Period is 0 ? null : c.Period,
                RealtimeRuntime = NullIfZero(c.RealtimeRuntime),
                RealtimePeriod = c.RealtimePeriod is 0 ? null : c.RealtimePeriod,
                Cpus = string.IsNullOrEmpty(c.Cpus) ? null : c.Cpus,
                Mems = string.IsNullOrEmpty(c.Mems) ? null : c.Mems,
                Idle = c.Idle,
            }
            : null,
        Pids = r.Pids is { Limit: 0 } ? null : r.Pids,
        BlockIo = r.BlockIo is { } b
            ? new LinuxBlockIo
            {
                Weight = b.Weight is 0 ? null : b.Weight,
                LeafWeight = b.LeafWeight is 0 ? null : b.LeafWeight,
                WeightDevice = b.WeightDevice,
                ThrottleReadBpsDevice = b.ThrottleReadBpsDevice,
                ThrottleWriteBpsDevice = b.ThrottleWriteBpsDevice,
                ThrottleReadIopsDevice = b.ThrottleReadIopsDevice,
                ThrottleWriteIopsDevice = b.ThrottleWriteIopsDevice,
            }
            : null,
        HugepageLimits = r.HugepageLimits,
        Network = r.Network,
        Rdma = r.Rdma,
        Unified = r.Unified,
    };

    private static long? NullIfZero(long? value) => value is 0 ? null : value;
}
