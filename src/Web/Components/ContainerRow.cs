using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;

namespace WebEngine.Web.Components;

/// <summary>One row of the containers table: the engine's summary, its latest resource sample, and an action in progress.</summary>
public sealed class ContainerRow(ContainerSummary summary)
{
    public ContainerSummary Summary { get; private set; } = summary;
    public string Id => Summary.Id;
    public string ShortId => Summary.Id[..12];
    public string Name => Summary.Names.Count > 0 ? Summary.Names[0].TrimStart('/') : ShortId;
    public string Image => Summary.Image;
    public string State => Summary.State;

    /// <summary>"Up 5 minutes", "Exited (0) 5 minutes ago".</summary>
    public string Status => Summary.Status;

    /// <summary>starting, healthy or unhealthy; null without a healthcheck.</summary>
    public string? Health => Summary.Health;

    /// <summary>docker ps's PORTS: "0.0.0.0:8080->80/tcp, 53/udp".</summary>
    public string Ports => FormatPorts(Summary.Ports);

    public double? CpuPercent { get; set; }
    public long? MemoryBytes { get; set; }
    public long? MemoryLimitBytes { get; set; }

    /// <summary>What is being done to the container now, shown in the row ("stopping… SIGKILL in 7 s").</summary>
    public string? Progress { get; set; }

    public bool IsRunning => State is "running" or "restarting";
    public bool IsPaused => State == "paused";

    public void Update(ContainerSummary summary)
    {
        Summary = summary;
        if (!IsRunning)
        {
            CpuPercent = null;
            MemoryBytes = null;
            MemoryLimitBytes = null;
        }
    }

    /// <summary>
    /// The search box: every word must match the name, the image, the id's start, or a label ("key" or "key=value").
    /// </summary>
    public bool Matches(string? search, IReadOnlyCollection<string> states)
    {
        if (states.Count > 0 && !states.Contains(State))
            return false;
        if (string.IsNullOrWhiteSpace(search))
            return true;
        foreach (var word in search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var matches = Name.Contains(word, StringComparison.OrdinalIgnoreCase)
                          || Image.Contains(word, StringComparison.OrdinalIgnoreCase)
                          || Id.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                          || Summary.Labels.Any(l => MatchesLabel(l, word));
            if (!matches)
                return false;
        }
        return true;
    }

    private static bool MatchesLabel(KeyValuePair<string, string> label, string word)
    {
        var eq = word.IndexOf('=');
        return eq < 0
            ? label.Key.Contains(word, StringComparison.OrdinalIgnoreCase)
            : string.Equals(label.Key, word[..eq], StringComparison.OrdinalIgnoreCase) && label.Value.Contains(word[(eq + 1)..], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>As docker ps writes them: published ones as ip:public->private/type (an IPv6 address in brackets), exposed ones as private/type.</summary>
    public static string FormatPorts(IEnumerable<PortSummary> ports) => string.Join(", ", ports
        .OrderBy(p => p.PrivatePort).ThenBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.PublicPort ?? 0)
        .Select(p => p.PublicPort is { } published
            ? $"{(p.IP?.Contains(':') == true ? $"[{p.IP}]" : p.IP)}:{published}->{p.PrivatePort}/{p.Type}"
            : $"{p.PrivatePort}/{p.Type}")
        .Distinct());

    /// <summary>docker stats' CPU %: the container's share of the host's CPU time between two samples, times the CPUs.</summary>
    public static double CpuPercentBetween(ContainerStats previous, ContainerStats current)
    {
        var container = current.CpuTotalUsage - previous.CpuTotalUsage;
        var system = current.SystemCpuUsage - previous.SystemCpuUsage;
        return system > 0 && container >= 0 ? (double)container / system * current.OnlineCpus * 100 : 0;
    }

    /// <summary>docker stats' memory: usage without the inactive page cache.</summary>
    public static long MemoryInUse(ContainerStats stats)
    {
        var cache = stats.MemoryStat.TryGetValue("total_inactive_file", out var v1) ? v1
            : stats.MemoryStat.TryGetValue("inactive_file", out var v2) ? v2 : 0;
        return Math.Max(0, stats.MemoryUsage - cache);
    }
}
