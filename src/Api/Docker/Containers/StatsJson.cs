using System.Text.Json.Serialization;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>Docker's StatsResponse (snake_case, as the CLI reads it): one sample and the one before it (precpu_stats).</summary>
public sealed record StatsJson
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("read")] public DateTime Read { get; init; }
    [JsonPropertyName("preread")] public DateTime PreRead { get; init; }
    [JsonPropertyName("pids_stats")] public PidsStatsJson PidsStats { get; init; } = new();
    [JsonPropertyName("blkio_stats")] public BlkioStatsJson BlkioStats { get; init; } = new();
    [JsonPropertyName("num_procs")] public int NumProcs { get; init; }
    [JsonPropertyName("storage_stats")] public Dictionary<string, long> StorageStats { get; init; } = [];
    [JsonPropertyName("cpu_stats")] public CpuStatsJson CpuStats { get; init; } = new();
    [JsonPropertyName("precpu_stats")] public CpuStatsJson PreCpuStats { get; init; } = new();
    [JsonPropertyName("memory_stats")] public MemoryStatsJson MemoryStats { get; init; } = new();

    /// <summary>Per interface; left out when the container has none of its own (Docker does the same for --network host or none).</summary>
    [JsonPropertyName("networks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, NetworkStatsJson>? Networks { get; init; }

    /// <summary>A sample; <paramref name="previous"/> fills precpu_stats and preread (zero on the first one, as in Docker).</summary>
    public static StatsJson From(string name, string id, ContainerStats sample, ContainerStats? previous) => new()
    {
        Name = name,
        Id = id,
        Read = sample.Read,
        PreRead = previous?.Read ?? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
        PidsStats = new PidsStatsJson { Current = sample.PidsCurrent, Limit = sample.PidsLimit },
        BlkioStats = new BlkioStatsJson
        {
            IoServiceBytesRecursive = sample.BlockIo.Select(e => new BlkioEntryJson(e.Major, e.Minor, e.Op, e.Value)).ToList(),
        },
        CpuStats = CpuStatsJson.From(sample),
        PreCpuStats = previous is null ? new CpuStatsJson() : CpuStatsJson.From(previous),
        MemoryStats = new MemoryStatsJson { Usage = sample.MemoryUsage, Limit = sample.MemoryLimit, Stats = new Dictionary<string, long>(sample.MemoryStat) },
        Networks = sample.Networks.Count == 0 ? null : sample.Networks.ToDictionary(n => n.Key, n => NetworkStatsJson.From(n.Value)),
    };

    /// <summary>What Docker answers for a container that is not running: names and zeros.</summary>
    public static StatsJson Empty(string name, string id) => new()
    {
        Name = name,
        Id = id,
        Read = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
        PreRead = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
    };
}

public sealed record PidsStatsJson
{
    [JsonPropertyName("current")] public long Current { get; init; }

    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Limit { get; init; }
}

public sealed record BlkioStatsJson
{
    [JsonPropertyName("io_service_bytes_recursive")] public IReadOnlyList<BlkioEntryJson>? IoServiceBytesRecursive { get; init; }
    [JsonPropertyName("io_serviced_recursive")] public IReadOnlyList<BlkioEntryJson>? IoServicedRecursive { get; init; }
    [JsonPropertyName("io_queue_recursive")] public IReadOnlyList<BlkioEntryJson>? IoQueueRecursive { get; init; }
    [JsonPropertyName("io_service_time_recursive")] public IReadOnlyList<BlkioEntryJson>? IoServiceTimeRecursive { get; init; }
    [JsonPropertyName("io_wait_time_recursive")] public IReadOnlyList<BlkioEntryJson>? IoWaitTimeRecursive { get; init; }
    [JsonPropertyName("io_merged_recursive")] public IReadOnlyList<BlkioEntryJson>? IoMergedRecursive { get; init; }
    [JsonPropertyName("io_time_recursive")] public IReadOnlyList<BlkioEntryJson>? IoTimeRecursive { get; init; }
    [JsonPropertyName("sectors_recursive")] public IReadOnlyList<BlkioEntryJson>? SectorsRecursive { get; init; }
}

public sealed record BlkioEntryJson(
    [property: JsonPropertyName("major")] long Major,
    [property: JsonPropertyName("minor")] long Minor,
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("value")] long Value);

public sealed record NetworkStatsJson
{
    [JsonPropertyName("rx_bytes")] public long RxBytes { get; init; }
    [JsonPropertyName("rx_packets")] public long RxPackets { get; init; }
    [JsonPropertyName("rx_errors")] public long RxErrors { get; init; }
    [JsonPropertyName("rx_dropped")] public long RxDropped { get; init; }
    [JsonPropertyName("tx_bytes")] public long TxBytes { get; init; }
    [JsonPropertyName("tx_packets")] public long TxPackets { get; init; }
    [JsonPropertyName("tx_errors")] public long TxErrors { get; init; }
    [JsonPropertyName("tx_dropped")] public long TxDropped { get; init; }

    public static NetworkStatsJson From(NetworkCounters counters) => new()
    {
        RxBytes = counters.RxBytes, RxPackets = counters.RxPackets, RxErrors = counters.RxErrors, RxDropped = counters.RxDropped,
        TxBytes = counters.TxBytes, TxPackets = counters.TxPackets, TxErrors = counters.TxErrors, TxDropped = counters.TxDropped,
    };
}

public sealed record CpuStatsJson
{
    [JsonPropertyName("cpu_usage")] public CpuUsageJson CpuUsage { get; init; } = new();

    [JsonPropertyName("system_cpu_usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SystemCpuUsage { get; init; }

    [JsonPropertyName("online_cpus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OnlineCpus { get; init; }

    [JsonPropertyName("throttling_data")] public ThrottlingDataJson ThrottlingData { get; init; } = new();

    public static CpuStatsJson From(ContainerStats sample) => new()
    {
        CpuUsage = new CpuUsageJson { TotalUsage = sample.CpuTotalUsage },
        SystemCpuUsage = sample.SystemCpuUsage,
        OnlineCpus = sample.OnlineCpus,
    };
}

public sealed record CpuUsageJson
{
    [JsonPropertyName("total_usage")] public long TotalUsage { get; init; }
    [JsonPropertyName("usage_in_kernelmode")] public long UsageInKernelmode { get; init; }
    [JsonPropertyName("usage_in_usermode")] public long UsageInUsermode { get; init; }
}

public sealed record ThrottlingDataJson
{
    [JsonPropertyName("periods")] public long Periods { get; init; }
    [JsonPropertyName("throttled_periods")] public long ThrottledPeriods { get; init; }
    [JsonPropertyName("throttled_time")] public long ThrottledTime { get; init; }
}

public sealed record MemoryStatsJson
{
    [JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Usage { get; init; }

    [JsonPropertyName("stats"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, long>? Stats { get; init; }

    [JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Limit { get; init; }
}
