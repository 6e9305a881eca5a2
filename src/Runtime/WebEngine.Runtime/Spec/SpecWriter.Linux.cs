using System.Text.Json;
using WebEngine.Oci;
using static WebEngine.Runtime.Json.JsonOutput;

namespace WebEngine.Runtime.Spec;

/// <summary>config.json's <c>linux</c> section, in the property order of <see cref="Oci.Linux"/>.</summary>
public static partial class SpecWriter
{
    private static void WriteLinux(Utf8JsonWriter w, Oci.Linux linux)
    {
        w.WriteStartObject("linux");
        ListIfSet(w, "namespaces", linux.Namespaces, static (w, ns) =>
        {
            w.WriteStartObject();
            w.WriteString("type", ns.Type);
            StringIfSet(w, "path", ns.Path);
            w.WriteEndObject();
        });
        ListIfSet(w, "uidMappings", linux.UidMappings, WriteIdMapping);
        ListIfSet(w, "gidMappings", linux.GidMappings, WriteIdMapping);
        MapIfSet(w, "timeOffsets", linux.TimeOffsets, static (w, offset) =>
        {
            w.WriteStartObject();
            w.WriteNumber("secs", offset.Secs);
            w.WriteNumber("nanosecs", offset.Nanosecs);
            w.WriteEndObject();
        });
        ListIfSet(w, "devices", linux.Devices, WriteDevice);
        MapIfSet(w, "netDevices", linux.NetDevices, static (w, device) =>
        {
            w.WriteStartObject();
            StringIfSet(w, "name", device.Name);
            w.WriteEndObject();
        });
        StringIfSet(w, "cgroupsPath", linux.CgroupsPath);
        if (linux.Resources != null)
            WriteResources(w, linux.Resources);
        StringIfSet(w, "rootfsPropagation", linux.RootfsPropagation);
        if (linux.Seccomp != null)
            WriteSeccomp(w, linux.Seccomp);
        StringMapIfSet(w, "sysctl", linux.Sysctl);
        StringsIfSet(w, "maskedPaths", linux.MaskedPaths);
        StringsIfSet(w, "readonlyPaths", linux.ReadonlyPaths);
        StringIfSet(w, "mountLabel", linux.MountLabel);
        if (linux.Personality is { } personality)
        {
            w.WriteStartObject("personality");
            w.WriteString("domain", personality.Domain);
            StringsIfSet(w, "flags", personality.Flags);
            w.WriteEndObject();
        }
        OpaqueMapIfSet(w, "intelRdt", linux.IntelRdt);
        OpaqueMapIfSet(w, "memoryPolicy", linux.MemoryPolicy);
        w.WriteEndObject();
    }

    private static void WriteDevice(Utf8JsonWriter w, LinuxDevice device)
    {
        w.WriteStartObject();
        w.WriteString("type", device.Type);
        w.WriteString("path", device.Path);
        NumberIfSet(w, "major", device.Major);
        NumberIfSet(w, "minor", device.Minor);
        NumberIfSet(w, "fileMode", device.FileMode);
        NumberIfSet(w, "uid", device.Uid);
        NumberIfSet(w, "gid", device.Gid);
        w.WriteEndObject();
    }

    private static void WriteSeccomp(Utf8JsonWriter w, LinuxSeccomp seccomp)
    {
        w.WriteStartObject("seccomp");
        w.WriteString("defaultAction", seccomp.DefaultAction);
        NumberIfSet(w, "defaultErrnoRet", seccomp.DefaultErrnoRet);
        StringsIfSet(w, "architectures", seccomp.Architectures);
        StringsIfSet(w, "flags", seccomp.Flags);
        StringIfSet(w, "listenerPath", seccomp.ListenerPath);
        StringIfSet(w, "listenerMetadata", seccomp.ListenerMetadata);
        ListIfSet(w, "syscalls", seccomp.Syscalls, static (w, syscall) =>
        {
            w.WriteStartObject();
            StringsIfSet(w, "names", syscall.Names);
            w.WriteString("action", syscall.Action);
            NumberIfSet(w, "errnoRet", syscall.ErrnoRet);
            ListIfSet(w, "args", syscall.Args, static (w, arg) =>
            {
                w.WriteStartObject();
                w.WriteNumber("index", arg.Index);
                w.WriteNumber("value", arg.Value);
                w.WriteNumber("valueTwo", arg.ValueTwo);
                w.WriteString("op", arg.Op);
                w.WriteEndObject();
            });
            w.WriteEndObject();
        });
        w.WriteEndObject();
    }

    private static void WriteResources(Utf8JsonWriter w, LinuxResources resources)
    {
        w.WriteStartObject("resources");
        ListIfSet(w, "devices", resources.Devices, static (w, rule) =>
        {
            w.WriteStartObject();
            w.WriteBoolean("allow", rule.Allow);
            StringIfSet(w, "type", rule.Type);
            NumberIfSet(w, "major", rule.Major);
            NumberIfSet(w, "minor", rule.Minor);
            StringIfSet(w, "access", rule.Access);
            w.WriteEndObject();
        });
        if (resources.Memory is { } memory)
        {
            w.WriteStartObject("memory");
            NumberIfSet(w, "limit", memory.Limit);
            NumberIfSet(w, "reservation", memory.Reservation);
            NumberIfSet(w, "swap", memory.Swap);
            NumberIfSet(w, "kernel", memory.Kernel);
            NumberIfSet(w, "kernelTCP", memory.KernelTcp);
            NumberIfSet(w, "swappiness", memory.Swappiness);
            BoolIfSet(w, "disableOOMKiller", memory.DisableOomKiller);
            BoolIfSet(w, "useHierarchy", memory.UseHierarchy);
            BoolIfSet(w, "checkBeforeUpdate", memory.CheckBeforeUpdate);
            w.WriteEndObject();
        }
        if (resources.Cpu is { } cpu)
        {
            w.WriteStartObject("cpu");
            NumberIfSet(w, "shares", cpu.Shares);
            NumberIfSet(w, "quota", cpu.Quota);
            NumberIfSet(w, "burst", cpu.Burst);
            NumberIfSet(w, "period", cpu.Period);
            NumberIfSet(w, "realtimeRuntime", cpu.RealtimeRuntime);
            NumberIfSet(w, "realtimePeriod", cpu.RealtimePeriod);
            StringIfSet(w, "cpus", cpu.Cpus);
            StringIfSet(w, "mems", cpu.Mems);
            NumberIfSet(w, "idle", cpu.Idle);
            w.WriteEndObject();
        }
        if (resources.Pids is { } pids)
        {
            w.WriteStartObject("pids");
            NumberIfSet(w, "limit", pids.Limit);
            w.WriteEndObject();
        }
        if (resources.BlockIo is { } blockIo)
            WriteBlockIo(w, blockIo);
        ListIfSet(w, "hugepageLimits", resources.HugepageLimits, static (w, limit) =>
        {
            w.WriteStartObject();
            w.WriteString("pageSize", limit.PageSize);
            w.WriteNumber("limit", limit.Limit);
            w.WriteEndObject();
        });
        if (resources.Network is { } network)
        {
            w.WriteStartObject("network");
            NumberIfSet(w, "classID", network.ClassId);
            ListIfSet(w, "priorities", network.Priorities, static (w, priority) =>
            {
                w.WriteStartObject();
                w.WriteString("name", priority.Name);
                w.WriteNumber("priority", priority.Priority);
                w.WriteEndObject();
            });
            w.WriteEndObject();
        }
        MapIfSet(w, "rdma", resources.Rdma, static (w, rdma) =>
        {
            w.WriteStartObject();
            NumberIfSet(w, "hcaHandles", rdma.HcaHandles);
            NumberIfSet(w, "hcaObjects", rdma.HcaObjects);
            w.WriteEndObject();
        });
        StringMapIfSet(w, "unified", resources.Unified);
        w.WriteEndObject();
    }

    private static void WriteBlockIo(Utf8JsonWriter w, LinuxBlockIo blockIo)
    {
        w.WriteStartObject("blockIO");
        NumberIfSet(w, "weight", blockIo.Weight);
        NumberIfSet(w, "leafWeight", blockIo.LeafWeight);
        ListIfSet(w, "weightDevice", blockIo.WeightDevice, static (w, device) =>
        {
            w.WriteStartObject();
            w.WriteNumber("major", device.Major);
            w.WriteNumber("minor", device.Minor);
            NumberIfSet(w, "weight", device.Weight);
            NumberIfSet(w, "leafWeight", device.LeafWeight);
            w.WriteEndObject();
        });
        ListIfSet(w, "throttleReadBpsDevice", blockIo.ThrottleReadBpsDevice, WriteThrottleDevice);
        ListIfSet(w, "throttleWriteBpsDevice", blockIo.ThrottleWriteBpsDevice, WriteThrottleDevice);
        ListIfSet(w, "throttleReadIOPSDevice", blockIo.ThrottleReadIopsDevice, WriteThrottleDevice);
        ListIfSet(w, "throttleWriteIOPSDevice", blockIo.ThrottleWriteIopsDevice, WriteThrottleDevice);
        w.WriteEndObject();
    }

    private static void WriteThrottleDevice(Utf8JsonWriter w, LinuxThrottleDevice device)
    {
        w.WriteStartObject();
        w.WriteNumber("major", device.Major);
        w.WriteNumber("minor", device.Minor);
        w.WriteNumber("rate", device.Rate);
        w.WriteEndObject();
    }
}
