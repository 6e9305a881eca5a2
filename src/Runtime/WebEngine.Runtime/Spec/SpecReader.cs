using System.Text.Json;
using WebEngine.Oci;
using static WebEngine.Runtime.Json.JsonInput;

namespace WebEngine.Runtime.Spec;

/// <summary>
/// Reads config.json (and the spec inside state.json and the init request) into <see cref="RuntimeSpec"/> by hand
/// over <see cref="Utf8JsonReader"/>. JsonSerializer's per-type set-up under NativeAOT was 27-30% of the runtime's
/// cpu time for a short-lived command; this reads the same fields with the same types and defaults. Unknown
/// fields are skipped, as runc does; a value of the wrong type throws a <see cref="JsonException"/> naming its path.
/// </summary>
public static partial class SpecReader
{
    /// <summary>Reads a whole config.json document.</summary>
    public static RuntimeSpec Read(ReadOnlySpan<byte> utf8)
    {
        var reader = Open(utf8, "config.json");
        var spec = ReadSpec(ref reader, "");
        Close(ref reader, "config.json");
        return spec;
    }

    /// <summary>Reads an OCI process document, as `exec --process` takes it.</summary>
    public static Process ReadProcessDocument(ReadOnlySpan<byte> utf8)
    {
        var reader = Open(utf8, "process");
        var process = ReadProcess(ref reader, "process");
        Close(ref reader, "process");
        return process;
    }

    public static RuntimeSpec ReadSpec(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var spec = new RuntimeSpec();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "ociVersion": spec.OciVersion = String(ref r, where, name); break;
                case "process": spec.Process = IsNull(ref r) ? null : ReadProcess(ref r, Join(where, name)); break;
                case "root": spec.Root = IsNull(ref r) ? null : ReadRoot(ref r, Join(where, name)); break;
                case "hostname": spec.Hostname = StringOrNull(ref r, where, name); break;
                case "domainname": spec.Domainname = StringOrNull(ref r, where, name); break;
                case "mounts": spec.Mounts = ReadList(ref r, where, name, ReadMount); break;
                case "hooks": spec.Hooks = IsNull(ref r) ? null : ReadHooks(ref r, Join(where, name)); break;
                case "annotations": spec.Annotations = StringMap(ref r, where, name); break;
                case "linux": spec.Linux = IsNull(ref r) ? null : ReadLinux(ref r, Join(where, name)); break;
                default: r.Skip(); break;
            }
        }
        return spec;
    }

    public static Process ReadProcess(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var process = new Process();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "terminal": process.Terminal = Bool(ref r, where, name); break;
                case "consoleSize": process.ConsoleSize = IsNull(ref r) ? null : ReadConsoleSize(ref r, Join(where, name)); break;
                case "user": process.User = ReadUser(ref r, Join(where, name)); break;
                case "args": process.Args = Strings(ref r, where, name); break;
                case "commandLine": process.CommandLine = StringOrNull(ref r, where, name); break;
                case "env": process.Env = Strings(ref r, where, name); break;
                case "cwd": process.Cwd = String(ref r, where, name); break;
                case "capabilities": process.Capabilities = IsNull(ref r) ? null : ReadCapabilities(ref r, Join(where, name)); break;
                case "rlimits": process.Rlimits = ReadList(ref r, where, name, ReadRlimit); break;
                case "noNewPrivileges": process.NoNewPrivileges = Bool(ref r, where, name); break;
                case "apparmorProfile": process.ApparmorProfile = StringOrNull(ref r, where, name); break;
                case "oomScoreAdj": process.OomScoreAdj = Int32OrNull(ref r, where, name); break;
                case "selinuxLabel": process.SelinuxLabel = StringOrNull(ref r, where, name); break;
                case "ioPriority": process.IoPriority = IsNull(ref r) ? null : ReadIoPriority(ref r, Join(where, name)); break;
                case "scheduler": process.Scheduler = IsNull(ref r) ? null : ReadScheduler(ref r, Join(where, name)); break;
                case "execCPUAffinity": process.ExecCpuAffinity = IsNull(ref r) ? null : ReadExecCpuAffinity(ref r, Join(where, name)); break;
                default: r.Skip(); break;
            }
        }
        return process;
    }

    private static ConsoleSize ReadConsoleSize(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var size = new ConsoleSize();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "height": size.Height = UInt32(ref r, where, name); break;
                case "width": size.Width = UInt32(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return size;
    }

    private static User ReadUser(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var user = new User();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "uid": user.Uid = UInt32(ref r, where, name); break;
                case "gid": user.Gid = UInt32(ref r, where, name); break;
                case "umask": user.Umask = UInt32OrNull(ref r, where, name); break;
                case "additionalGids": user.AdditionalGids = UInt32s(ref r, where, name); break;
                case "username": user.Username = StringOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return user;
    }

    private static Capabilities ReadCapabilities(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var caps = new Capabilities();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "bounding": caps.Bounding = Strings(ref r, where, name); break;
                case "effective": caps.Effective = Strings(ref r, where, name); break;
                case "inheritable": caps.Inheritable = Strings(ref r, where, name); break;
                case "permitted": caps.Permitted = Strings(ref r, where, name); break;
                case "ambient": caps.Ambient = Strings(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return caps;
    }

    private static Rlimit ReadRlimit(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var rlimit = new Rlimit();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "type": rlimit.Type = String(ref r, where, name); break;
                case "hard": rlimit.Hard = UInt64(ref r, where, name); break;
                case "soft": rlimit.Soft = UInt64(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return rlimit;
    }

    private static IoPriority ReadIoPriority(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var priority = new IoPriority();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "class": priority.Class = String(ref r, where, name); break;
                case "priority": priority.Priority = Int32(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return priority;
    }

    private static Scheduler ReadScheduler(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var scheduler = new Scheduler();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "policy": scheduler.Policy = String(ref r, where, name); break;
                case "nice": scheduler.Nice = Int32OrNull(ref r, where, name); break;
                case "priority": scheduler.Priority = Int32OrNull(ref r, where, name); break;
                case "flags": scheduler.Flags = Strings(ref r, where, name); break;
                case "runtime": scheduler.Runtime = UInt64OrNull(ref r, where, name); break;
                case "deadline": scheduler.Deadline = UInt64OrNull(ref r, where, name); break;
                case "period": scheduler.Period = UInt64OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return scheduler;
    }

    private static ExecCpuAffinity ReadExecCpuAffinity(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var affinity = new ExecCpuAffinity();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "initial": affinity.Initial = StringOrNull(ref r, where, name); break;
                case "final": affinity.Final = StringOrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return affinity;
    }

    private static Root ReadRoot(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var root = new Root();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "path": root.Path = String(ref r, where, name); break;
                case "readonly": root.Readonly = Bool(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return root;
    }

    private static Mount ReadMount(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var mount = new Mount();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "destination": mount.Destination = String(ref r, where, name); break;
                case "type": mount.Type = StringOrNull(ref r, where, name); break;
                case "source": mount.Source = StringOrNull(ref r, where, name); break;
                case "options": mount.Options = Strings(ref r, where, name); break;
                case "uidMappings": mount.UidMappings = ReadList(ref r, where, name, ReadIdMapping); break;
                case "gidMappings": mount.GidMappings = ReadList(ref r, where, name, ReadIdMapping); break;
                default: r.Skip(); break;
            }
        }
        return mount;
    }

    private static Oci.Hooks ReadHooks(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var hooks = new Oci.Hooks();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "prestart": hooks.Prestart = ReadList(ref r, where, name, ReadHook); break;
                case "createRuntime": hooks.CreateRuntime = ReadList(ref r, where, name, ReadHook); break;
                case "createContainer": hooks.CreateContainer = ReadList(ref r, where, name, ReadHook); break;
                case "startContainer": hooks.StartContainer = ReadList(ref r, where, name, ReadHook); break;
                case "poststart": hooks.Poststart = ReadList(ref r, where, name, ReadHook); break;
                case "poststop": hooks.Poststop = ReadList(ref r, where, name, ReadHook); break;
                default: r.Skip(); break;
            }
        }
        return hooks;
    }

    private static Hook ReadHook(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var hook = new Hook();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "path": hook.Path = String(ref r, where, name); break;
                case "args": hook.Args = Strings(ref r, where, name); break;
                case "env": hook.Env = Strings(ref r, where, name); break;
                case "timeout": hook.Timeout = Int32OrNull(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return hook;
    }

    private static IdMapping ReadIdMapping(ref Utf8JsonReader r, string where)
    {
        ExpectObject(ref r, where);
        var mapping = new IdMapping();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "containerID": mapping.ContainerId = UInt32(ref r, where, name); break;
                case "hostID": mapping.HostId = UInt32(ref r, where, name); break;
                case "size": mapping.Size = UInt32(ref r, where, name); break;
                default: r.Skip(); break;
            }
        }
        return mapping;
    }

    private delegate T ElementReader<out T>(ref Utf8JsonReader r, string where);

    /// <summary>An array of objects, or null; each element's path is its index (<c>mounts[2]</c>).</summary>
    private static List<T>? ReadList<T>(ref Utf8JsonReader r, string where, string name, ElementReader<T> read)
    {
        if (IsNull(ref r))
            return null;
        if (r.TokenType != JsonTokenType.StartArray)
            throw Mismatch(ref r, where, name, "an array");
        var path = Join(where, name);
        var list = new List<T>();
        while (NextElement(ref r))
            list.Add(read(ref r, $"{path}[{list.Count}]"));
        return list;
    }

    /// <summary>An object whose values are objects of one kind, or null.</summary>
    private static Dictionary<string, T>? ReadMap<T>(ref Utf8JsonReader r, string where, string name, ElementReader<T> read)
    {
        if (IsNull(ref r))
            return null;
        if (r.TokenType != JsonTokenType.StartObject)
            throw Mismatch(ref r, where, name, "an object");
        var path = Join(where, name);
        var map = new Dictionary<string, T>();
        while (NextProperty(ref r, out var key))
            map[key] = read(ref r, Join(path, key));
        return map;
    }
}
