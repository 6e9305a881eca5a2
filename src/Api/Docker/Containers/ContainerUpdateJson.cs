using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>
/// POST /containers/{id}/update's body: Docker's Resources plus RestartPolicy. As in Moby, a zero value (and a restart
/// policy without a name) leaves the setting as it is; the options this engine does not have are refused if set.
/// </summary>
public sealed class ContainerUpdateJson
{
    public long Memory { get; set; }
    public long MemorySwap { get; set; }
    public long MemoryReservation { get; set; }
    public long NanoCpus { get; set; }
    public long CpuShares { get; set; }
    public long CpuQuota { get; set; }
    public long CpuPeriod { get; set; }
    public string? CpusetCpus { get; set; }
    public string? CpusetMems { get; set; }
    public long? PidsLimit { get; set; }
    public RestartPolicyJson? RestartPolicy { get; set; }
    public int BlkioWeight { get; set; }
    public long CpuRealtimePeriod { get; set; }
    public long CpuRealtimeRuntime { get; set; }
    public long KernelMemory { get; set; }
    public long KernelMemoryTCP { get; set; }
    public bool? OomKillDisable { get; set; }
    public List<object>? DeviceRequests { get; set; }

    public ContainerUpdate ToEngine()
    {
        if (BlkioWeight != 0)
            throw new InvalidArgumentException("block I/O limits are not supported");
        if (CpuRealtimePeriod != 0 || CpuRealtimeRuntime != 0)
            throw new InvalidArgumentException("real-time CPU limits are not supported");
        if (KernelMemory != 0 || KernelMemoryTCP != 0)
            throw new InvalidArgumentException("kernel memory limits are not supported");
        if (OomKillDisable == true)
            throw new InvalidArgumentException("disabling the OOM killer is not supported");
        if (DeviceRequests is { Count: > 0 })
            throw new InvalidArgumentException("device requests (--gpus) are not supported");
        return new ContainerUpdate
        {
            Memory = NonZero(Memory),
            MemorySwap = NonZero(MemorySwap),
            MemoryReservation = NonZero(MemoryReservation),
            NanoCpus = NonZero(NanoCpus),
            CpuShares = NonZero(CpuShares),
            CpuQuota = NonZero(CpuQuota),
            CpuPeriod = NonZero(CpuPeriod),
            CpusetCpus = ContainerConfigJson.NullIfEmpty(CpusetCpus),
            CpusetMems = ContainerConfigJson.NullIfEmpty(CpusetMems),
            PidsLimit = PidsLimit,
            RestartPolicy = RestartPolicy is { Name: { Length: > 0 } } policy ? policy.ToEngine() : null,
        };
    }

    private static long? NonZero(long value) => value == 0 ? null : value;
}
