using System.Reflection;
using System.Runtime.InteropServices;

namespace WebEngine.Engine.Host;

/// <summary>Facts about the machine the daemon runs on, read from the kernel (for `version`, `info`, the overview page).</summary>
public sealed class HostFacts
{
    public static readonly string EngineVersion =
        (typeof(HostFacts).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    public static readonly string GitCommit =
        (typeof(HostFacts).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "").Split('+') is [_, var commit]
            ? commit[..Math.Min(7, commit.Length)]
            : "unknown";

    public string KernelVersion { get; } = ReadTrimmed("/proc/sys/kernel/osrelease");
    public string Hostname { get; } = Environment.MachineName;
    public string OperatingSystem { get; } = ReadOsRelease("PRETTY_NAME") ?? "Linux";
    public string OsVersion { get; } = ReadOsRelease("VERSION_ID") ?? "";
    public string Architecture { get; } = RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };
    public string KernelArchitecture { get; } = RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "x86_64" : RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
    public int CpuCount { get; } = Environment.ProcessorCount;
    public long MemoryTotalBytes { get; } = ReadMemTotal();

    /// <summary>"2" when /sys/fs/cgroup is a cgroup2 mount, "1" otherwise (v1 or hybrid).</summary>
    public string CgroupVersion { get; } = IsCgroup2Root() ? "2" : "1";

    public string DotnetVersion { get; } = RuntimeInformation.FrameworkDescription;

    private static string ReadTrimmed(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    private static string? ReadOsRelease(string key)
    {
        const string path = "/etc/os-release";
        if (!File.Exists(path))
            return null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(key + "=", StringComparison.Ordinal))
                return line[(key.Length + 1)..].Trim('"');
        }
        return null;
    }

    private static long ReadMemTotal()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        return 0;
    }

    private static bool IsCgroup2Root()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && fields[4] == "/sys/fs/cgroup" && separator > 0 && fields[separator + 1] == "cgroup2")
                return true;
        }
        return false;
    }
}
