namespace WebEngine.Engine.Containers;

/// <summary>A resource limit for the container's process, by its ulimit name ("nofile", "nproc", …); -1 is unlimited.</summary>
public sealed record Ulimit(string Name, long Soft, long Hard)
{
    /// <summary>ulimit names and the setrlimit resource each one sets.</summary>
    public static readonly IReadOnlyDictionary<string, string> Resources = new Dictionary<string, string>
    {
        ["core"] = "RLIMIT_CORE",
        ["cpu"] = "RLIMIT_CPU",
        ["data"] = "RLIMIT_DATA",
        ["fsize"] = "RLIMIT_FSIZE",
        ["locks"] = "RLIMIT_LOCKS",
        ["memlock"] = "RLIMIT_MEMLOCK",
        ["msgqueue"] = "RLIMIT_MSGQUEUE",
        ["nice"] = "RLIMIT_NICE",
        ["nofile"] = "RLIMIT_NOFILE",
        ["nproc"] = "RLIMIT_NPROC",
        ["rss"] = "RLIMIT_RSS",
        ["rtprio"] = "RLIMIT_RTPRIO",
        ["rttime"] = "RLIMIT_RTTIME",
        ["sigpending"] = "RLIMIT_SIGPENDING",
        ["stack"] = "RLIMIT_STACK",
    };

    /// <summary>The value setrlimit takes: -1 becomes RLIM_INFINITY.</summary>
    public static ulong ToRlimitValue(long value) => value < 0 ? ulong.MaxValue : (ulong)value;
}
