using System.Text.Json;
using WebEngine.Oci;
using static WebEngine.Runtime.Json.JsonOutput;

namespace WebEngine.Runtime.Spec;

/// <summary>
/// Writes a <see cref="RuntimeSpec"/> as JSON by hand (into state.json, the init request and `spec`'s config.json),
/// byte for byte as the source-generated context did: properties in declaration order, nulls left out. See
/// <see cref="SpecReader"/> for why not JsonSerializer.
/// </summary>
public static partial class SpecWriter
{
    public static byte[] ToUtf8(RuntimeSpec spec, bool indented = false) => Json.JsonOutput.ToUtf8(w => Write(w, spec), indented);

    public static void Write(Utf8JsonWriter w, RuntimeSpec spec)
    {
        w.WriteStartObject();
        w.WriteString("ociVersion", spec.OciVersion);
        if (spec.Process != null)
        {
            w.WritePropertyName("process");
            WriteProcess(w, spec.Process);
        }
        if (spec.Root != null)
        {
            w.WriteStartObject("root");
            w.WriteString("path", spec.Root.Path);
            w.WriteBoolean("readonly", spec.Root.Readonly);
            w.WriteEndObject();
        }
        StringIfSet(w, "hostname", spec.Hostname);
        StringIfSet(w, "domainname", spec.Domainname);
        ListIfSet(w, "mounts", spec.Mounts, WriteMount);
        if (spec.Hooks != null)
            WriteHooks(w, spec.Hooks);
        StringMapIfSet(w, "annotations", spec.Annotations);
        if (spec.Linux != null)
            WriteLinux(w, spec.Linux);
        w.WriteEndObject();
    }

    public static void WriteProcess(Utf8JsonWriter w, Process process)
    {
        w.WriteStartObject();
        w.WriteBoolean("terminal", process.Terminal);
        if (process.ConsoleSize is { } size)
        {
            w.WriteStartObject("consoleSize");
            w.WriteNumber("height", size.Height);
            w.WriteNumber("width", size.Width);
            w.WriteEndObject();
        }
        WriteUser(w, process.User);
        StringsIfSet(w, "args", process.Args);
        StringIfSet(w, "commandLine", process.CommandLine);
        StringsIfSet(w, "env", process.Env);
        w.WriteString("cwd", process.Cwd);
        if (process.Capabilities is { } caps)
        {
            w.WriteStartObject("capabilities");
            StringsIfSet(w, "bounding", caps.Bounding);
            StringsIfSet(w, "effective", caps.Effective);
            StringsIfSet(w, "inheritable", caps.Inheritable);
            StringsIfSet(w, "permitted", caps.Permitted);
            StringsIfSet(w, "ambient", caps.Ambient);
            w.WriteEndObject();
        }
        ListIfSet(w, "rlimits", process.Rlimits, static (w, rlimit) =>
        {
            w.WriteStartObject();
            w.WriteString("type", rlimit.Type);
            w.WriteNumber("hard", rlimit.Hard);
            w.WriteNumber("soft", rlimit.Soft);
            w.WriteEndObject();
        });
        w.WriteBoolean("noNewPrivileges", process.NoNewPrivileges);
        StringIfSet(w, "apparmorProfile", process.ApparmorProfile);
        NumberIfSet(w, "oomScoreAdj", process.OomScoreAdj);
        StringIfSet(w, "selinuxLabel", process.SelinuxLabel);
        if (process.IoPriority is { } io)
        {
            w.WriteStartObject("ioPriority");
            w.WriteString("class", io.Class);
            w.WriteNumber("priority", io.Priority);
            w.WriteEndObject();
        }
        if (process.Scheduler is { } scheduler)
        {
            w.WriteStartObject("scheduler");
            w.WriteString("policy", scheduler.Policy);
            NumberIfSet(w, "nice", scheduler.Nice);
            NumberIfSet(w, "priority", scheduler.Priority);
            StringsIfSet(w, "flags", scheduler.Flags);
            NumberIfSet(w, "runtime", scheduler.Runtime);
            NumberIfSet(w, "deadline", scheduler.Deadline);
            NumberIfSet(w, "period", scheduler.Period);
            w.WriteEndObject();
        }
        if (process.ExecCpuAffinity is { } affinity)
        {
            w.WriteStartObject("execCPUAffinity");
            StringIfSet(w, "initial", affinity.Initial);
            StringIfSet(w, "final", affinity.Final);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter w, User? user)
    {
        if (user == null)
            return;
        w.WriteStartObject("user");
        w.WriteNumber("uid", user.Uid);
        w.WriteNumber("gid", user.Gid);
        NumberIfSet(w, "umask", user.Umask);
        if (user.AdditionalGids != null)
        {
            w.WriteStartArray("additionalGids");
            foreach (var gid in user.AdditionalGids)
                w.WriteNumberValue(gid);
            w.WriteEndArray();
        }
        StringIfSet(w, "username", user.Username);
        w.WriteEndObject();
    }

    private static void WriteMount(Utf8JsonWriter w, Mount mount)
    {
        w.WriteStartObject();
        w.WriteString("destination", mount.Destination);
        StringIfSet(w, "type", mount.Type);
        StringIfSet(w, "source", mount.Source);
        StringsIfSet(w, "options", mount.Options);
        ListIfSet(w, "uidMappings", mount.UidMappings, WriteIdMapping);
        ListIfSet(w, "gidMappings", mount.GidMappings, WriteIdMapping);
        w.WriteEndObject();
    }

    private static void WriteHooks(Utf8JsonWriter w, Oci.Hooks hooks)
    {
        w.WriteStartObject("hooks");
        ListIfSet(w, "prestart", hooks.Prestart, WriteHook);
        ListIfSet(w, "createRuntime", hooks.CreateRuntime, WriteHook);
        ListIfSet(w, "createContainer", hooks.CreateContainer, WriteHook);
        ListIfSet(w, "startContainer", hooks.StartContainer, WriteHook);
        ListIfSet(w, "poststart", hooks.Poststart, WriteHook);
        ListIfSet(w, "poststop", hooks.Poststop, WriteHook);
        w.WriteEndObject();
    }

    private static void WriteHook(Utf8JsonWriter w, Hook hook)
    {
        w.WriteStartObject();
        w.WriteString("path", hook.Path);
        StringsIfSet(w, "args", hook.Args);
        StringsIfSet(w, "env", hook.Env);
        NumberIfSet(w, "timeout", hook.Timeout);
        w.WriteEndObject();
    }

    private static void WriteIdMapping(Utf8JsonWriter w, IdMapping mapping)
    {
        w.WriteStartObject();
        w.WriteNumber("containerID", mapping.ContainerId);
        w.WriteNumber("hostID", mapping.HostId);
        w.WriteNumber("size", mapping.Size);
        w.WriteEndObject();
    }
}
