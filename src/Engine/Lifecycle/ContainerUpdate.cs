using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Lifecycle;

/// <summary>docker update: the resources and restart policy to change; null leaves a value as it is.</summary>
public sealed record ContainerUpdate
{
    public long? Memory { get; init; }
    public long? MemorySwap { get; init; }
    public long? MemoryReservation { get; init; }
    public long? NanoCpus { get; init; }
    public long? CpuShares { get; init; }
    public long? CpuQuota { get; init; }
    public long? CpuPeriod { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    public long? PidsLimit { get; init; }
    public RestartPolicy? RestartPolicy { get; init; }

    public HostConfig ApplyTo(HostConfig host) => host with
    {
        Memory = Memory ?? host.Memory,
        MemorySwap = MemorySwap ?? host.MemorySwap,
        MemoryReservation = MemoryReservation ?? host.MemoryReservation,
        NanoCpus = NanoCpus ?? host.NanoCpus,
        CpuShares = CpuShares ?? host.CpuShares,
        CpuQuota = CpuQuota ?? host.CpuQuota,
        CpuPeriod = CpuPeriod ?? host.CpuPeriod,
        CpusetCpus = CpusetCpus ?? host.CpusetCpus,
        CpusetMems = CpusetMems ?? host.CpusetMems,
        PidsLimit = PidsLimit ?? host.PidsLimit,
        RestartPolicy = RestartPolicy ?? host.RestartPolicy,
    };
}
