using System.Text.Json;
using WebEngine.Oci;
using static WebEngine.Runtime.Json.JsonInput;

namespace WebEngine.Runtime.Spec;

/// <summary>config.json's <c>linux.resources</c>: the cgroup limits.</summary>
public static partial class SpecReader
{
    private static LinuxResources ReadResources(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var resources = new LinuxResources();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "devices": resources.Devices = ReadList(ref r, where, name, ReadDeviceCgroup); break;
                case "memory": resources.Memory = IsNull(ref r) ? null : ReadMemory(ref r, Join(where, name)); break;
                case "cpu": resources.Cpu = IsNull(ref r) ? null : ReadCpu(ref r, Join(where, name)); break;
                case "pids": resources.Pids = IsNull(ref r) ? null : ReadPids(ref r, Join(where, name)); break;
                case "blockIO": resources.BlockIo = IsNull(ref r) ? null : ReadBlockIo(ref r, Join(where, name)); break;
                case "hugepageLimits": resources.HugepageLimits = ReadList(ref r, where, name, ReadHugepageLimit); break;
                case "network": resources.Network = IsNull(ref r) ? null : ReadNetwork(ref r, Join(where, name)); break;
                case "rdma": resources.Rdma = ReadMap(ref r, where, name, ReadRdma); break;
                case "unified": resources.Unified = StringMap(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return resources;
    }

    private static LinuxDeviceCgroup ReadDeviceCgroup(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var rule = new LinuxDeviceCgroup();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "allow": rule.Allow = Bool(ref r, where, name); break;
                case "type": rule.Type = StringOrNull(ref r, where, name); break;
                case "major": rule.Major = Int64OrNull(ref r, where, name); break;
                case "minor": rule.Minor = Int64OrNull(ref r, where, name); break;
                case "access": rule.Access = StringOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return rule;
    }

    private static LinuxMemory ReadMemory(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var memory = new LinuxMemory();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "limit": memory.Limit = Int64OrNull(ref r, where, name); break;
                case "reservation": memory.Reservation = Int64OrNull(ref r, where, name); break;
                case "swap": memory.Swap = Int64OrNull(ref r, where, name); break;
                case "kernel": memory.Kernel = Int64OrNull(ref r, where, name); break;
                case "kernelTCP": memory.KernelTcp = Int64OrNull(ref r, where, name); break;
                case "swappiness": memory.Swappiness = UInt64OrNull(ref r, where, name); break;
                case "disableOOMKiller": memory.DisableOomKiller = BoolOrNull(ref r, where, name); break;
                case "useHierarchy": memory.UseHierarchy = BoolOrNull(ref r, where, name); break;
                case "checkBeforeUpdate": memory.CheckBeforeUpdate = BoolOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return memory;
    }

    private static LinuxCpu ReadCpu(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var cpu = new LinuxCpu();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "shares": cpu.Shares = UInt64OrNull(ref r, where, name); break;
                case "quota": cpu.Quota = Int64OrNull(ref r, where, name); break;
                case "burst": cpu.Burst = UInt64OrNull(ref r, where, name); break;
                case "period": cpu.Period = UInt64OrNull(ref r, where, name); break;
                case "realtimeRuntime": cpu.RealtimeRuntime = Int64OrNull(ref r, where, name); break;
                case "realtimePeriod": cpu.RealtimePeriod = UInt64OrNull(ref r, where, name); break;
                case "cpus": cpu.Cpus = StringOrNull(ref r, where, name); break;
                case "mems": cpu.Mems = StringOrNull(ref r, where, name); break;
                case "idle": cpu.Idle = Int64OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return cpu;
    }

    private static LinuxPids ReadPids(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var pids = new LinuxPids();
        while (NextProperty(ref r, out var name))
        {
            if (name == "limit")
                pids.Limit = Int64OrNull(ref r, where, name);
            else
                r.Skip();
        }
        return pids;
    }

    private static LinuxBlockIo ReadBlockIo(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var blockIo = new LinuxBlockIo();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "weight": blockIo.Weight = UInt16OrNull(ref r, where, name); break;
                case "leafWeight": blockIo.LeafWeight = UInt16OrNull(ref r, where, name); break;
                case "weightDevice": blockIo.WeightDevice = ReadList(ref r, where, name, ReadWeightDevice); break;
                case "throttleReadBpsDevice": blockIo.ThrottleReadBpsDevice = ReadList(ref r, where, name, ReadThrottleDevice); break;
                case "throttleWriteBpsDevice": blockIo.ThrottleWriteBpsDevice = ReadList(ref r, where, name, ReadThrottleDevice); break;
                case "throttleReadIOPSDevice": blockIo.ThrottleReadIopsDevice = ReadList(ref r, where, name, ReadThrottleDevice); break;
                case "throttleWriteIOPSDevice": blockIo.ThrottleWriteIopsDevice = ReadList(ref r, where, name, ReadThrottleDevice); break;
                default: r.Skip(); break;
            }
        }
        return blockIo;
    }

    private static LinuxWeightDevice ReadWeightDevice(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var device = new LinuxWeightDevice();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "major": device.Major = Int64(ref r, where, name); break;
                case "minor": device.Minor = Int64(ref r, where, name); break;
                case "weight": device.Weight = UInt16OrNull(ref r, where, name); break;
                case "leafWeight": device.LeafWeight = UInt16OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return device;
    }

    private static LinuxThrottleDevice ReadThrottleDevice(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var device = new LinuxThrottleDevice();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "major": device.Major = Int64(ref r, where, name); break;
                case "minor": device.Minor = Int64(ref r, where, name); break;
                case "rate": device.Rate = UInt64(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return device;
    }

    private static LinuxHugepageLimit ReadHugepageLimit(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var limit = new LinuxHugepageLimit();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "pageSize": limit.PageSize = String(ref r, where, name); break;
                case "limit": limit.Limit = UInt64(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return limit;
    }

    private static LinuxNetwork ReadNetwork(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var network = new LinuxNetwork();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "classID": network.ClassId = UInt32OrNull(ref r, where, name); break;
                case "priorities": network.Priorities = ReadList(ref r, where, name, ReadInterfacePriority); break;
                default: r.Skip(); break;
            }
        }
        return network;
    }

    private static LinuxInterfacePriority ReadInterfacePriority(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var priority = new LinuxInterfacePriority();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "name": priority.Name = String(ref r, where, name); break;
                case "priority": priority.Priority = UInt32(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return priority;
    }

    private static LinuxRdma ReadRdma(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var rdma = new LinuxRdma();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "hcaHandles": rdma.HcaHandles = UInt32OrNull(ref r, where, name); break;
                case "hcaObjects": rdma.HcaObjects = UInt32OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return rdma;
    }
}
