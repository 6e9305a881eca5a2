using System.Globalization;

namespace WebEngine.Engine.Lifecycle;

/// <summary>Traffic of one of a container's network interfaces since it was created (Docker's stats "networks" entry).</summary>
public sealed record NetworkCounters(
    long RxBytes, long RxPackets, long RxErrors, long RxDropped,
    long TxBytes, long TxPackets, long TxErrors, long TxDropped)
{
    /// <summary>
    /// The interfaces of a process's network namespace from /proc/&lt;pid&gt;/net/dev, without the loopback (as Docker);
    /// none for a process in the host's namespace, whose traffic is not the container's own.
    /// </summary>
    public static IReadOnlyDictionary<string, NetworkCounters> OfProcess(int pid)
    {
        if (SharesHostNamespace(pid))
            return new Dictionary<string, NetworkCounters>();
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/net/dev"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Dictionary<string, NetworkCounters>(); // the process ended between the cgroup read and this one
        }
    }

    /// <summary>
    /// /proc/net/dev: two header lines, then "name: " and 16 counters a line (receive: bytes packets errs drop fifo
    /// frame compressed multicast; transmit: bytes packets errs drop fifo colls carrier compressed).
    /// </summary>
    public static IReadOnlyDictionary<string, NetworkCounters> Parse(string procNetDev)
    {
        var interfaces = new SortedDictionary<string, NetworkCounters>(StringComparer.Ordinal);
        foreach (var line in procNetDev.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name.Length == 0 || name == "lo" || fields.Length < 16 || !fields.All(f => f.All(char.IsAsciiDigit)))
                continue;
            long At(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            interfaces[name] = new NetworkCounters(At(0), At(1), At(2), At(3), At(8), At(9), At(10), At(11));
        }
        return interfaces;
    }

    private static bool SharesHostNamespace(int pid)
    {
        try
        {
            // A container on --network host runs in the daemon's own namespace ("net:[inode]" names it).
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
