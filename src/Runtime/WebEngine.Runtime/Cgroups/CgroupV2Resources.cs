using System.Globalization;
using WebEngine.Oci;

namespace WebEngine.Runtime.Cgroups;

/// <summary>Writes an OCI LinuxResources to cgroup2 interface files; null fields are left alone.</summary>
internal static class CgroupV2Resources
{
    public static void Apply(string directory, LinuxResources r)
    {
        var controllers = (CgroupFile.ReadIfExists(directory, "cgroup.controllers") ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        string Require(string controller, string setting) => controllers.Contains(controller)
            ? directory
            : throw new CgroupException($"linux.resources.{setting} is set, but the {controller} controller is not available in {directory}/cgroup.controllers");

        if (r.Cpu is { } cpu)
            ApplyCpu(cpu, Require);
        if (r.Memory is { } memory)
            ApplyMemory(memory, Require);
        if (r.Pids is { Limit: { } pidsLimit })
            CgroupFile.Write(Require("pids", "pids.limit"), "pids.max", pidsLimit > 0 ? Format(pidsLimit) : "max");
        if (r.BlockIo is { } blockIo)
            ApplyIo(blockIo, Require);
        if (r.HugepageLimits is { Count: > 0 } hugepages)
        {
            foreach (var limit in hugepages)
                CgroupFile.Write(Require("hugetlb", "hugepageLimits"), $"hugetlb.{limit.PageSize}.max", Format(limit.Limit));
        }
        if (r.Network is { ClassId: not null } or { Priorities.Count: > 0 })
            throw new CgroupException("linux.resources.network is set, but cgroup v2 has no net_cls/net_prio controllers (use eBPF or tc instead)");
        if (r.Rdma is { Count: > 0 } rdma)
        {
            foreach (var (device, limit) in rdma)
                CgroupFile.Write(Require("rdma", "rdma"), "rdma.max", CgroupV1Resources.RdmaLimit(device, limit));
        }
        if (r.Devices is { Count: > 0 } devices)
            CgroupDeviceFilter.Attach(directory, devices);
        foreach (var (key, value) in r.Unified ?? [])
        {
            // Keys are interface file names ("memory.high"); refuse anything that could leave the directory.
            if (key.Contains('/') || key is "." or ".." || key.Length == 0)
                throw new CgroupException($"linux.resources.unified key \"{key}\" is not a cgroup interface file name");
            var controller = key.Split('.')[0];
            if (controller != "cgroup" && !controllers.Contains(controller))
                throw new CgroupException($"linux.resources.unified sets {key}, but the {controller} controller is not available in {directory}/cgroup.controllers");
            CgroupFile.Write(directory, key, value);
        }
    }

    private static void ApplyCpu(LinuxCpu cpu, Func<string, string, string> require)
    {
        if (cpu.RealtimeRuntime is not (null or 0) || cpu.RealtimePeriod is not (null or 0))
            throw new CgroupException("linux.resources.cpu.realtimeRuntime/realtimePeriod are set, but cgroup v2 has no realtime CPU budget");
        if (cpu.Cpus is { Length: > 0 } cpus)
            CgroupFile.Write(require("cpuset", "cpu.cpus"), "cpuset.cpus", cpus);
        if (cpu.Mems is { Length: > 0 } mems)
            CgroupFile.Write(require("cpuset", "cpu.mems"), "cpuset.mems", mems);
        if (cpu.Shares is { } shares and > 0)
            CgroupFile.Write(require("cpu", "cpu.shares"), "cpu.weight", Format(CgroupConversions.CpuSharesToWeight(shares)));
        if (cpu.Quota is not (null or 0) || cpu.Period is not (null or 0))
        {
            // "max" or the quota, then the period if one is given (without it the kernel keeps the old one).
            var value = cpu.Quota is > 0 ? Format(cpu.Quota.Value) : "max";
            if (cpu.Period is { } period and > 0)
                value += " " + Format(period);
            CgroupFile.Write(require("cpu", "cpu.quota"), "cpu.max", value);
        }
        if (cpu.Burst is { } burst)
            CgroupFile.Write(require("cpu", "cpu.burst"), "cpu.max.burst", Format(burst));
        if (cpu.Idle is { } idle)
            CgroupFile.Write(require("cpu", "cpu.idle"), "cpu.idle", Format(idle));
    }

    /// <summary>
    /// memory.limit to memory.max, reservation to memory.low, memory+swap to memory.swap.max (swap
    /// alone). Kernel memory, swappiness and disableOOMKiller have no cgroup2 file and are ignored, as runc does.
    /// </summary>
    private static void ApplyMemory(LinuxMemory memory, Func<string, string, string> require)
    {
        var swap = CgroupConversions.SwapToV2(memory.Swap, memory.Limit);
        if (swap is { } swapValue)
        {
            var directory = require("memory", "memory.swap");
            if (CgroupFile.Exists(directory, "memory.swap.max"))
                CgroupFile.Write(directory, "memory.swap.max", CgroupConversions.LimitToV2(swapValue));
            else if (swapValue != -1)
                throw new CgroupException($"linux.resources.memory.swap is set, but {directory}/memory.swap.max is missing (the kernel has no swap accounting)");
        }
        if (memory.Limit is { } limit and not 0)
        {
            var directory = require("memory", "memory.limit");
            // cgroup2 accepts a memory.max below the usage and then reclaims or OOM-kills;
            // checkBeforeUpdate asks to refuse such an update instead (v1 refuses it by itself).
            if (memory.CheckBeforeUpdate == true && limit > 0 && CgroupFile.ReadNumber(directory, "memory.current") is { } current && current > (ulong)limit)
                throw new CgroupException($"memory.limit {limit} is below the current usage {current} of {directory} (checkBeforeUpdate)");
            CgroupFile.Write(directory, "memory.max", CgroupConversions.LimitToV2(limit));
        }
        if (memory.Reservation is { } reservation and not 0)
            CgroupFile.Write(require("memory", "memory.reservation"), "memory.low", CgroupConversions.LimitToV2(reservation));
    }

    private static void ApplyIo(LinuxBlockIo io, Func<string, string, string> require)
    {
        if (io is { Weight: null, WeightDevice: null or [], ThrottleReadBpsDevice: null or [], ThrottleWriteBpsDevice: null or [], ThrottleReadIopsDevice: null or [], ThrottleWriteIopsDevice: null or [] })
            return;
        var directory = require("io", "blockIO");
        // With the BFQ scheduler io.bfq.weight takes blkio's 1-1000 scale as is; io.weight needs the conversion.
        var bfq = CgroupFile.Exists(directory, "io.bfq.weight");
        if (io.Weight is { } weight and > 0)
        {
            if (bfq)
                CgroupFile.Write(directory, "io.bfq.weight", Format(weight));
            else
                CgroupFile.Write(directory, "io.weight", "default " + Format(CgroupConversions.BlkioWeightToIoWeight(weight)));
        }
        foreach (var device in io.WeightDevice ?? [])
        {
            if (device.Weight is not { } deviceWeight)
                continue;
            var id = CgroupConversions.Device(device.Major, device.Minor);
            if (bfq)
                CgroupFile.Write(directory, "io.bfq.weight", $"{id} {deviceWeight}");
            else
                CgroupFile.Write(directory, "io.weight", $"{id} {CgroupConversions.BlkioWeightToIoWeight(deviceWeight)}");
        }
        WriteMax(directory, "rbps", io.ThrottleReadBpsDevice);
        WriteMax(directory, "wbps", io.ThrottleWriteBpsDevice);
        WriteMax(directory, "riops", io.ThrottleReadIopsDevice);
        WriteMax(directory, "wiops", io.ThrottleWriteIopsDevice);
    }

    /// <summary>io.max takes "major:minor key=value"; a rate of 0 removes the limit ("max").</summary>
    private static void WriteMax(string directory, string key, List<LinuxThrottleDevice>? devices)
    {
        foreach (var device in devices ?? [])
        {
            var rate = device.Rate == 0 ? "max" : Format(device.Rate);
            CgroupFile.Write(directory, "io.max", $"{CgroupConversions.Device(device.Major, device.Minor)} {key}={rate}");
        }
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
