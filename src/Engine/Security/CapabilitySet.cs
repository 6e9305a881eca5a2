using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Security;

/// <summary>Linux capability names, Docker's default set, and how CapAdd/CapDrop/Privileged change it.</summary>
public static class CapabilitySet
{
    private static readonly string[] Numbered =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Every capability by its number (capability.h); the kernel may know fewer (cap_last_cap).</summary>
    public static IReadOnlyList<string> ByNumber => Numbered;

    /// <summary>Docker's default set: what a container process gets unless told otherwise.</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ];

    private const string All = "ALL";

    private static readonly Lazy<int> LastCapability = new(ReadLastCapability);
    private static readonly Lazy<ulong> OwnBoundingSet = new(ReadOwnBoundingSet);

    /// <summary>
    /// The capabilities the kernel knows and this process may pass on (its bounding set): what a
    /// privileged container gets. A runtime cannot grant a capability the engine itself lacks.
    /// </summary>
    public static IReadOnlyList<string> Available =>
        ByNumber.Take(LastCapability.Value + 1).Where((_, index) => (OwnBoundingSet.Value & 1UL << index) != 0).ToList();

    /// <summary>Bit mask of the named capabilities, as /proc/PID/status shows CapEff.</summary>
    public static ulong Mask(IEnumerable<string> names) =>
        names.Aggregate(0UL, (mask, name) => mask | 1UL << IndexOf(name));

    /// <summary>The set a container gets: Docker's rules for Privileged, "ALL" in CapAdd or CapDrop, and the default set.</summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string> capAdd, IReadOnlyList<string> capDrop, bool privileged)
    {
        if (privileged)
            return Available;
        var drop = Normalize(capDrop, "CapDrop");
        var add = Normalize(capAdd, "CapAdd");
        if (add.Contains(All))
            return Available.Where(c => !drop.Contains(c)).ToList();
        if (drop.Contains(All))
            return add.Distinct().ToList();
        return Default.Where(c => !drop.Contains(c)).Concat(add).Distinct().ToList();
    }

    /// <summary>Upper-cases, adds the CAP_ prefix and rejects names the kernel does not know.</summary>
    public static List<string> Normalize(IEnumerable<string> names, string field)
    {
        var result = new List<string>();
        foreach (var raw in names)
        {
            var name = raw.Trim().ToUpperInvariant();
            if (name == All)
            {
                result.Add(All);
                continue;
            }
            if (!name.StartsWith("CAP_", StringComparison.Ordinal))
                name = "CAP_" + name;
            var index = Array.IndexOf(Numbered, name);
            if (index < 0)
                throw new InvalidArgumentException($"invalid {field}: unknown capability: \"{name}\"");
            if (index > LastCapability.Value || (OwnBoundingSet.Value & 1UL << index) == 0)
                throw new InvalidArgumentException($"invalid {field}: capability not supported by your kernel or not available in the current environment: \"{name}\"");
            result.Add(name);
        }
        return result;
    }

    private static int IndexOf(string name)
    {
        var index = Array.IndexOf(Numbered, name);
        return index >= 0 ? index : throw new ArgumentException($"unknown capability {name}", nameof(name));
    }

    private static ulong ReadOwnBoundingSet()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))
            ?? throw new IOException("/proc/self/status has no CapBnd line");
        return ulong.Parse(line["CapBnd:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int ReadLastCapability()
    {
        const string path = "/proc/sys/kernel/cap_last_cap";
        try
        {
            return Math.Min(int.Parse(File.ReadAllText(path).Trim()), ByNumber.Count - 1);
        }
        catch (IOException)
        {
            // Without procfs (some build sandboxes) assume the kernel knows every capability we name.
            return ByNumber.Count - 1;
        }
    }
}
