using System.Globalization;
using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>Writes an OCI LinuxResources to cgroup v1 interface files; null fields are left alone.</summary>
internal static class CgroupV1Resources
{
    private const int EINVAL = 22;

    public static void Apply(IReadOnlyDictionary<string, string> directories, LinuxResources r)
    {
        if (r.Unified is { Count: > 0 })
            throw new CgroupException($"linux.resources.unified ({string.Join(", ", r.Unified.Keys)}) needs cgroup v2, but this host uses cgroup v1");
        if (r.Cpu is { } cpu)
            ApplyCpu(directories, cpu);
        if (r.Memory is { } memory)
            ApplyMemory(directories, memory);
        if (r.Pids is { Limit: { } pidsLimit })
            CgroupFile.Write(Require(directories, "pids", "pids.limit"), "pids.max", pidsLimit > 0 ? Format(pidsLimit) : "max");
        if (r.BlockIo is { } blockIo)
            ApplyBlockIo(directories, blockIo);
        if (r.Devices is { Count: > 0 } devices)
            ApplyDevices(Require(directories, "devices", "devices"), devices);
        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            var directory = Require(directories, "hugetlb", "hugepageLimits");
            foreach (var limit in hugepages)
                CgroupFile.Write(directory, $"hugetlb.{limit.PageSize}.limit_in_bytes", Format(limit.Limit));
        }
        if (r.Network is { } network)
        {
            if (network.ClassId is { } classId)
                CgroupFile.Write(Require(directories, "net_cls", "network.classID"), "net_cls.classid", Format(classId));
            if (network.Priorities is { Count: > 0 } priorities)
            {
                var directory = Require(directories, "net_prio", "network.priorities");
                foreach (var priority in priorities)
                    CgroupFile.Write(directory, "net_prio.ifpriomap", $"{priority.Name} {priority.Priority}");
            }
        }
        if (r.Rdma is { Count: > 0 } rdma)
        {
            var directory = Require(directories, "rdma", "rdma");
            foreach (var (device, limit) in rdma)
                CgroupFile.Write(directory, "rdma.max", RdmaLimit(device, limit));
        }
    }

    /// <summary>The directory of a controller the spec needs; a clear error when it is not mounted (as runc).</summary>
    private static string Require(IReadOnlyDictionary<string, string> directories, string controller, string setting) =>
        directories.TryGetValue(controller, out var directory)
            ? directory
            : throw new CgroupException($"linux.resources.{setting} is set, but the {controller} cgroup controller is not mounted on this host");

    private static void ApplyCpu(IReadOnlyDictionary<string, string> directories, LinuxCpu cpu)
    {
        if (cpu.Cpus is { Length: > 0 } || cpu.Mems is { Length: > 0 })
        {
            var cpuset = Require(directories, "cpuset", "cpu.cpus/mems");
            if (cpu.Cpus is { Length: > 0 } cpus)
                CgroupFile.Write(cpuset, "cpuset.cpus", cpus);
            if (cpu.Mems is { Length: > 0 } mems)
                CgroupFile.Write(cpuset, "cpuset.mems", mems);
        }
        if (cpu is { Shares: null, Quota: null, Period: null, Burst: null, RealtimePeriod: null, RealtimeRuntime: null, Idle: null })
            return;
        var directory = Require(directories, "cpu", "cpu");
        // The realtime budget of a child may not exceed its period: widen the period first.
        if (cpu.RealtimePeriod is { } rtPeriod)
            CgroupFile.Write(directory, "cpu.rt_period_us", Format(rtPeriod));
        if (cpu.RealtimeRuntime is { } rtRuntime)
            CgroupFile.Write(directory, "cpu.rt_runtime_us", Format(rtRuntime));
        if (cpu.Shares is { } shares)
            CgroupFile.Write(directory, "cpu.shares", Format(shares));
        if (cpu.Period is { } period)
        {
            try
            {
                CgroupFile.Write(directory, "cpu.cfs_period_us", Format(period));
            }
            catch (CgroupException e) when (e.Errno == EINVAL && cpu.Quota is > 0)
            {
                // The new period can be refused against the old quota (quota/period ratio
                // limits): write the quota first, then the period.
                CgroupFile.Write(directory, "cpu.cfs_quota_us", Format(cpu.Quota.Value));
                CgroupFile.Write(directory, "cpu.cfs_period_us", Format(period));
            }
        }
        if (cpu.Quota is { } quota)
            CgroupFile.Write(directory, "cpu.cfs_quota_us", Format(quota));
        if (cpu.Burst is { } burst)
            CgroupFile.Write(directory, "cpu.cfs_burst_us", Format(burst));
        if (cpu.Idle is { } idle)
            CgroupFile.Write(directory, "cpu.idle", Format(idle));
    }

    private static void ApplyMemory(IReadOnlyDictionary<string, string> directories, LinuxMemory memory)
    {
        if (memory is { Limit: null, Reservation: null, Swap: null, Kernel: null, KernelTcp: null, Swappiness: null, DisableOomKiller: null, UseHierarchy: null })
            return;
        var directory = Require(directories, "memory", "memory");
        var limit = memory.Limit ?? 0;
        var swap = memory.Swap ?? 0;
        if (limit == -1 && swap == 0)
            swap = -1; // unlimited memory with swap unset: swap unlimited too (runc)
        if (swap != 0 && !CgroupFile.Exists(directory, "memory.memsw.limit_in_bytes") && swap != -1)
            throw new CgroupException($"linux.resources.memory.swap is {swap}, but {directory}/memory.memsw.limit_in_bytes is missing (boot the kernel with swapaccount=1)");
        var hasMemsw = CgroupFile.Exists(directory, "memory.memsw.limit_in_bytes");

        // The kernel keeps memory.limit <= memory.memsw.limit at every step, so the order of the
        // two writes depends on whether the limits grow or shrink.
        if (limit != 0 && swap != 0 && hasMemsw)
        {
            var current = CgroupFile.ReadNumber(directory, "memory.limit_in_bytes") ?? ulong.MaxValue;
            if (swap == -1 || current < (ulong)swap)
            {
                CgroupFile.Write(directory, "memory.memsw.limit_in_bytes", Format(swap));
                CgroupFile.Write(directory, "memory.limit_in_bytes", Format(limit));
            }
            else
            {
                CgroupFile.Write(directory, "memory.limit_in_bytes", Format(limit));
                CgroupFile.Write(directory, "memory.memsw.limit_in_bytes", Format(swap));
            }
        }
        else
        {
            if (limit != 0)
                CgroupFile.Write(directory, "memory.limit_in_bytes", Format(limit));
            if (swap != 0 && hasMemsw)
                CgroupFile.Write(directory, "memory.memsw.limit_in_bytes", Format(swap));
        }

        if (memory.Reservation is { } reservation)
            CgroupFile.Write(directory, "memory.soft_limit_in_bytes", Format(reservation));
        if (memory.Kernel is { } kernel)
            WriteUnlessUnsupported(directory, "memory.kmem.limit_in_bytes", Format(kernel));
        if (memory.KernelTcp is { } kernelTcp)
            WriteUnlessUnsupported(directory, "memory.kmem.tcp.limit_in_bytes", Format(kernelTcp));
        if (memory.Swappiness is { } swappiness)
        {
            if (swappiness > 100)
                throw new CgroupException($"linux.resources.memory.swappiness {swappiness} is out of range [0, 100]");
            CgroupFile.Write(directory, "memory.swappiness", Format(swappiness));
        }
        if (memory.DisableOomKiller is { } disable)
            CgroupFile.Write(directory, "memory.oom_control", disable ? "1" : "0");
        if (memory.UseHierarchy is { } useHierarchy)
            CgroupFile.Write(directory, "memory.use_hierarchy", useHierarchy ? "1" : "0");
    }

    /// <summary>Kernel memory limits are deprecated: newer kernels drop the files or refuse the write.</summary>
    private static void WriteUnlessUnsupported(string directory, string file, string value)
    {
        if (!CgroupFile.Exists(directory, file))
            return;
        try
        {
            CgroupFile.Write(directory, file, value);
        }
        catch (CgroupException e) when (e.Errno is CgroupNative.EOPNOTSUPP)
        {
        }
    }

    private static void ApplyBlockIo(IReadOnlyDictionary<string, string> directories, LinuxBlockIo io)
    {
        if (io is { Weight: null, LeafWeight: null, WeightDevice: null or [], ThrottleReadBpsDevice: null or [], ThrottleWriteBpsDevice: null or [], ThrottleReadIopsDevice: null or [], ThrottleWriteIopsDevice: null or [] })
            return;
        var directory = Require(directories, "blkio", "blockIO");
        // CFQ's blkio.weight is gone from current kernels; BFQ offers the same knob.
        var weightFile = CgroupFile.Exists(directory, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
        if (io.Weight is { } weight)
            CgroupFile.Write(directory, weightFile, Format(weight));
        if (io.LeafWeight is { } leafWeight)
            CgroupFile.Write(directory, "blkio.leaf_weight", Format(leafWeight));
        foreach (var device in io.WeightDevice ?? [])
        {
            if (device.Weight is { } deviceWeight)
                CgroupFile.Write(directory, weightFile + "_device", $"{CgroupConversions.Device(device.Major, device.Minor)} {deviceWeight}");
            if (device.LeafWeight is { } deviceLeafWeight)
                CgroupFile.Write(directory, "blkio.leaf_weight_device", $"{CgroupConversions.Device(device.Major, device.Minor)} {deviceLeafWeight}");
        }
        WriteThrottle(directory, "blkio.throttle.read_bps_device", io.ThrottleReadBpsDevice);
        WriteThrottle(directory, "blkio.throttle.write_bps_device", io.ThrottleWriteBpsDevice);
        WriteThrottle(directory, "blkio.throttle.read_iops_device", io.ThrottleReadIopsDevice);
        WriteThrottle(directory, "blkio.throttle.write_iops_device", io.ThrottleWriteIopsDevice);
    }

    private static void WriteThrottle(string directory, string file, List<LinuxThrottleDevice>? devices)
    {
        foreach (var device in devices ?? [])
            CgroupFile.Write(directory, file, $"{CgroupConversions.Device(device.Major, device.Minor)} {device.Rate}");
    }

    /// <summary>
    /// The rules in spec order, each to devices.allow or devices.deny, so that the usual
    /// "deny all, then allow these" list ends with exactly the allowed devices.
    /// </summary>
    private static void ApplyDevices(string directory, List<LinuxDeviceCgroup> devices)
    {
        foreach (var rule in devices)
            CgroupFile.Write(directory, rule.Allow ? "devices.allow" : "devices.deny", DeviceRule(rule));
    }

    /// <summary>"type major:minor access", with "*" for an absent number (devices.allow syntax).</summary>
    public static string DeviceRule(LinuxDeviceCgroup rule)
    {
        var type = string.IsNullOrEmpty(rule.Type) ? "a" : rule.Type;
        if (type is not ("a" or "b" or "c"))
            throw new CgroupException($"linux.resources.devices: unknown device type \"{type}\" (expected a, b or c)");
        var access = string.IsNullOrEmpty(rule.Access) ? "rwm" : rule.Access;
        if (access.Any(c => c is not ('r' or 'w' or 'm')))
            throw new CgroupException($"linux.resources.devices: unknown access \"{access}\" (expected letters of rwm)");
        var major = rule.Major is { } ma and >= 0 ? Format(ma) : "*";
        var minor = rule.Minor is { } mi and >= 0 ? Format(mi) : "*";
        return $"{type} {major}:{minor} {access}";
    }

    public static string RdmaLimit(string device, LinuxRdma limit)
    {
        var parts = new List<string> { device };
        if (limit.HcaHandles is { } handles)
            parts.Add($"hca_handle={handles}");
        if (limit.HcaObjects is { } objects)
            parts.Add($"hca_object={objects}");
        return string.Join(' ', parts);
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
