using System.Text;

namespace WebEngine.Runtime.Cgroups;

/// <summary>The cgroup hierarchies a host has mounted, read from a mountinfo table.</summary>
public sealed class CgroupLayout
{
    private static readonly HashSet<string> V1Controllers = new(StringComparer.Ordinal)
    {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
        "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc",
    };

    private CgroupLayout(CgroupVersion version, IReadOnlyDictionary<string, CgroupMount> v1, CgroupMount? unified, string mountTable = "")
    {
        Version = version;
        V1 = v1;
        Unified = unified;
        MountTable = mountTable;
    }

    /// <summary>
    /// The mountinfo lines of the cgroup mounts this layout was parsed from: <see cref="Parse"/> of it gives the same
    /// layout. A container keeps it in its state, so that later operations need not read /proc/self/mountinfo (the
    /// kernel writes a line per mount of the namespace for each read).
    /// </summary>
    public string MountTable { get; }

    public CgroupVersion Version { get; }

    /// <summary>v1 hierarchies by controller; co-mounted controllers (cpu,cpuacct) share one <see cref="CgroupMount"/>.</summary>
    public IReadOnlyDictionary<string, CgroupMount> V1 { get; }

    /// <summary>The cgroup2 mount, on v2 and hybrid hosts.</summary>
    public CgroupMount? Unified { get; }

    /// <summary>Reads /proc/self/mountinfo.</summary>
    public static CgroupLayout Detect()
    {
        const string mountinfo = "/proc/self/mountinfo";
        try
        {
            return Parse(File.ReadAllText(mountinfo));
        }
        catch (IOException e)
        {
            throw new CgroupException($"read {mountinfo}", e);
        }
    }

    /// <summary>A v2 layout whose unified hierarchy is mounted at <paramref name="mountPoint"/> (tests use a directory that mimics cgroupfs).</summary>
    public static CgroupLayout ForUnified(string mountPoint) =>
        new(CgroupVersion.V2, new Dictionary<string, CgroupMount>(), new CgroupMount(mountPoint, "/", []));

    /// <summary>Parses a mountinfo table (proc(5)); the first mount of each hierarchy wins.</summary>
    public static CgroupLayout Parse(string mountinfo)
    {
        var v1 = new Dictionary<string, CgroupMount>(StringComparer.Ordinal);
        CgroupMount? unified = null;
        var table = new StringBuilder();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
                continue;
            var fields = line[..separator].Split(' ');
            var tail = line[(separator + 3)..].Split(' ');
            if (fields.Length < 5 || tail.Length < 3)
                continue;
            var root = Unescape(fields[3]);
            var mountPoint = Unescape(fields[4]);
            if (tail[0] is "cgroup2" or "cgroup")
                table.Append(line).Append('\n');
            if (tail[0] == "cgroup2")
            {
                unified ??= new CgroupMount(mountPoint, root, []);
            }
            else if (tail[0] == "cgroup")
            {
                var controllers = tail[2].Split(',')
                    .Where(o => V1Controllers.Contains(o) || o.StartsWith("name=", StringComparison.Ordinal))
                    .ToList();
                if (controllers.Count == 0 || controllers.Any(v1.ContainsKey))
                    continue;
                var mount = new CgroupMount(mountPoint, root, controllers);
                foreach (var controller in controllers)
                    v1[controller] = mount;
            }
        }

        var hasV1Controllers = v1.Keys.Any(c => !c.StartsWith("name=", StringComparison.Ordinal));
        if (hasV1Controllers)
            return new CgroupLayout(unified is null ? CgroupVersion.V1 : CgroupVersion.Hybrid, v1, unified, table.ToString());
        if (unified is not null)
            return new CgroupLayout(CgroupVersion.V2, new Dictionary<string, CgroupMount>(), unified, table.ToString());
        throw new CgroupException("no cgroup filesystem is mounted (neither cgroup v1 controllers nor cgroup2 in mountinfo)");
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                builder.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }
        return builder.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
