using System.Text.Json;
using WebEngine.Oci;
using WebEngine.Runtime.Json;
using WebEngine.Runtime.Spec;

namespace WebEngine.Runtime;

/// <summary>The `features` document: what this runtime implements, stated once.</summary>
public static class RuntimeFeaturesDocument
{
    public static RuntimeFeatures Create() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = "1.2.0",
        Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        MountOptions =
        [
            "async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "lazytime", "mand", "noatime", "nodev",
            "nodiratime", "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow",
            "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw",
            "shared", "slave", "strictatime", "suid", "symfollow", "sync", "unbindable",
        ],
        Linux = new LinuxFeatures
        {
            Namespaces = ["cgroup", "ipc", "mount", "network", "pid", "uts"],
            Capabilities = [.. CapabilityNames.All],
            Cgroup = new CgroupFeatures { V1 = true, V2 = true },
            Seccomp = new SeccompFeatures
            {
                Enabled = true,
                Actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"],
                Operators = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"],
                Archs = ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"],
            },
            Apparmor = new EnabledFeature { Enabled = false },
            Selinux = new EnabledFeature { Enabled = false },
            IntelRdt = new EnabledFeature { Enabled = false },
        },
    };

    /// <summary>
    /// The document as `features` prints it, indented, nulls left out. Written by hand so that no JsonSerializer
    /// code is left in the binary (see <see cref="SpecReader"/>).
    /// </summary>
    public static string Json() => System.Text.Encoding.UTF8.GetString(JsonOutput.ToUtf8(w => Write(w, Create()), indented: true));

    private static void Write(Utf8JsonWriter w, RuntimeFeatures features)
    {
        w.WriteStartObject();
        w.WriteString("ociVersionMin", features.OciVersionMin);
        w.WriteString("ociVersionMax", features.OciVersionMax);
        JsonOutput.StringsIfSet(w, "hooks", features.Hooks);
        JsonOutput.StringsIfSet(w, "mountOptions", features.MountOptions);
        JsonOutput.StringMapIfSet(w, "annotations", features.Annotations);
        if (features.Linux is { } linux)
        {
            w.WriteStartObject("linux");
            JsonOutput.StringsIfSet(w, "namespaces", linux.Namespaces);
            JsonOutput.StringsIfSet(w, "capabilities", linux.Capabilities);
            if (linux.Cgroup is { } cgroup)
            {
                w.WriteStartObject("cgroup");
                w.WriteBoolean("v1", cgroup.V1);
                w.WriteBoolean("v2", cgroup.V2);
                w.WriteBoolean("systemd", cgroup.Systemd);
                w.WriteBoolean("systemdUser", cgroup.SystemdUser);
                w.WriteBoolean("rdma", cgroup.Rdma);
                w.WriteEndObject();
            }
            if (linux.Seccomp is { } seccomp)
            {
                w.WriteStartObject("seccomp");
                w.WriteBoolean("enabled", seccomp.Enabled);
                JsonOutput.StringsIfSet(w, "actions", seccomp.Actions);
                JsonOutput.StringsIfSet(w, "operators", seccomp.Operators);
                JsonOutput.StringsIfSet(w, "archs", seccomp.Archs);
                JsonOutput.StringsIfSet(w, "knownFlags", seccomp.KnownFlags);
                JsonOutput.StringsIfSet(w, "supportedFlags", seccomp.SupportedFlags);
                w.WriteEndObject();
            }
            WriteEnabled(w, "apparmor", linux.Apparmor);
            WriteEnabled(w, "selinux", linux.Selinux);
            WriteEnabled(w, "intelRdt", linux.IntelRdt);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteEnabled(Utf8JsonWriter w, string name, EnabledFeature? feature)
    {
        if (feature == null)
            return;
        w.WriteStartObject(name);
        w.WriteBoolean("enabled", feature.Enabled);
        w.WriteEndObject();
    }
}
