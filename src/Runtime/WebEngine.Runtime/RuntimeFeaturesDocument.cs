using System.Text.Json;
using WebEngine.Oci;
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

    public static string Json() => JsonSerializer.Serialize(Create(), OciFeaturesJsonContext.Default.RuntimeFeatures);
}
