using System.Text.Json;
using WebEngine.Oci;
using static WebEngine.Runtime.Json.JsonInput;

namespace WebEngine.Runtime.Spec;

/// <summary>config.json's <c>linux</c> section: namespaces, devices, resources, seccomp.</summary>
public static partial class SpecReader
{
    private static Oci.Linux ReadLinux(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var linux = new Oci.Linux();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "namespaces": linux.Namespaces = ReadList(ref r, where, name, ReadNamespace); break;
                case "uidMappings": linux.UidMappings = ReadList(ref r, where, name, ReadIdMapping); break;
                case "gidMappings": linux.GidMappings = ReadList(ref r, where, name, ReadIdMapping); break;
                case "timeOffsets": linux.TimeOffsets = ReadMap(ref r, where, name, ReadTimeOffset); break;
                case "devices": linux.Devices = ReadList(ref r, where, name, ReadDevice); break;
                case "netDevices": linux.NetDevices = ReadMap(ref r, where, name, ReadNetDevice); break;
                case "cgroupsPath": linux.CgroupsPath = StringOrNull(ref r, where, name); break;
                case "resources": linux.Resources = IsNull(ref r) ? null : ReadResources(ref r, Join(where, name)); break;
                case "rootfsPropagation": linux.RootfsPropagation = StringOrNull(ref r, where, name); break;
                case "seccomp": linux.Seccomp = IsNull(ref r) ? null : ReadSeccomp(ref r, Join(where, name)); break;
                case "sysctl": linux.Sysctl = StringMap(ref r, where, name); break;
                case "maskedPaths": linux.MaskedPaths = Strings(ref r, where, name); break;
                case "readonlyPaths": linux.ReadonlyPaths = Strings(ref r, where, name); break;
                case "mountLabel": linux.MountLabel = StringOrNull(ref r, where, name); break;
                case "personality": linux.Personality = IsNull(ref r) ? null : ReadPersonality(ref r, Join(where, name)); break;
                case "intelRdt": linux.IntelRdt = OpaqueMap(ref r, where, name); break;
                case "memoryPolicy": linux.MemoryPolicy = OpaqueMap(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return linux;
    }

    private static LinuxNamespace ReadNamespace(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var ns = new LinuxNamespace();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "type": ns.Type = String(ref r, where, name); break;
                case "path": ns.Path = StringOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return ns;
    }

    private static TimeOffset ReadTimeOffset(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var offset = new TimeOffset();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "secs": offset.Secs = Int64(ref r, where, name); break;
                case "nanosecs": offset.Nanosecs = UInt32(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return offset;
    }

    private static NetDevice ReadNetDevice(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var device = new NetDevice();
        while (NextProperty(ref r, out var name))
        {
            if (name == "name")
                device.Name = StringOrNull(ref r, where, name);
            else
                r.Skip();
        }
        return device;
    }

    private static Personality ReadPersonality(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var personality = new Personality();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "domain": personality.Domain = String(ref r, where, name); break;
                case "flags": personality.Flags = Strings(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return personality;
    }

    private static LinuxDevice ReadDevice(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var device = new LinuxDevice();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "type": device.Type = String(ref r, where, name); break;
                case "path": device.Path = String(ref r, where, name); break;
                case "major": device.Major = Int64OrNull(ref r, where, name); break;
                case "minor": device.Minor = Int64OrNull(ref r, where, name); break;
                case "fileMode": device.FileMode = UInt32OrNull(ref r, where, name); break;
                case "uid": device.Uid = UInt32OrNull(ref r, where, name); break;
                case "gid": device.Gid = UInt32OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return device;
    }

    private static LinuxSeccomp ReadSeccomp(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var seccomp = new LinuxSeccomp();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "defaultAction": seccomp.DefaultAction = String(ref r, where, name); break;
                case "defaultErrnoRet": seccomp.DefaultErrnoRet = UInt32OrNull(ref r, where, name); break;
                case "architectures": seccomp.Architectures = Strings(ref r, where, name); break;
                case "flags": seccomp.Flags = Strings(ref r, where, name); break;
                case "listenerPath": seccomp.ListenerPath = StringOrNull(ref r, where, name); break;
                case "listenerMetadata": seccomp.ListenerMetadata = StringOrNull(ref r, where, name); break;
                case "syscalls": seccomp.Syscalls = ReadList(ref r, where, name, ReadSyscall); break;
                default: r.Skip(); break;
            }
        }
        return seccomp;
    }

    private static LinuxSyscall ReadSyscall(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var syscall = new LinuxSyscall();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "names": syscall.Names = Strings(ref r, where, name) ?? throw Mismatch(ref r, where, name, "an array of strings"); break;
                case "action": syscall.Action = String(ref r, where, name); break;
                case "errnoRet": syscall.ErrnoRet = UInt32OrNull(ref r, where, name); break;
                case "args": syscall.Args = ReadList(ref r, where, name, ReadSeccompArg); break;
                default: r.Skip(); break;
            }
        }
        return syscall;
    }

    private static LinuxSeccompArg ReadSeccompArg(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var arg = new LinuxSeccompArg();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "index": arg.Index = UInt32(ref r, where, name); break;
                case "value": arg.Value = UInt64(ref r, where, name); break;
                case "valueTwo": arg.ValueTwo = UInt64(ref r, where, name); break;
                case "op": arg.Op = String(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return arg;
    }
}
