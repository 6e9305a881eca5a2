using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using WebEngine.Api.Auth;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Hubs;

/// <summary>
/// One stats sample, computed the way `docker stats` computes its columns: CPU % of one CPU (so up to 100 × CPUs),
/// memory without the page cache, pids, block I/O and network traffic (totals since the start, over every interface
/// but the loopback).
/// </summary>
public sealed record StatsMessage(
    DateTime Read,
    double CpuPercent,
    int OnlineCpus,
    long MemoryUsage,
    long MemoryLimit,
    double MemoryPercent,
    long Pids,
    long BlockRead,
    long BlockWrite,
    long NetworkReceived,
    long NetworkSent);

/// <summary>/hubs/stats: a running container's stats, a sample a second (as docker stats), until it stops or the client cancels.</summary>
[Authorize(Roles = Roles.Viewer)]
public sealed class StatsHub(ContainerService containers) : Hub
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public IAsyncEnumerable<StatsMessage> Stream(string container, CancellationToken cancellationToken) =>
        HubStreams.WithClientErrors(ReadAsync(container, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<StatsMessage> ReadAsync(string container,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var previous = await containers.StatsAsync(container, cancellationToken);
        yield return ToMessage(previous, null);
        while (true)
        {
            await Task.Delay(Interval, cancellationToken);
            ContainerStats current;
            try
            {
                current = await containers.StatsAsync(container, cancellationToken);
            }
            catch (Exception e) when (e is ConflictException or NotFoundException)
            {
                // The container stopped or went away: the stream is over, as docker stats' is.
                yield break;
            }
            yield return ToMessage(current, previous);
            previous = current;
        }
    }

    private static StatsMessage ToMessage(ContainerStats current, ContainerStats? previous)
    {
        var cpuPercent = 0.0;
        if (previous is not null)
        {
            var cpuDelta = current.CpuTotalUsage - previous.CpuTotalUsage;
            var systemDelta = current.SystemCpuUsage - previous.SystemCpuUsage;
            if (cpuDelta > 0 && systemDelta > 0)
                cpuPercent = (double)cpuDelta / systemDelta * current.OnlineCpus * 100.0;
        }
        var cache = current.MemoryStat.GetValueOrDefault("total_inactive_file", current.MemoryStat.GetValueOrDefault("inactive_file"));
        var memory = cache < current.MemoryUsage ? current.MemoryUsage - cache : current.MemoryUsage;
        return new StatsMessage(
            current.Read, cpuPercent, current.OnlineCpus, memory, current.MemoryLimit,
            current.MemoryLimit > 0 ? (double)memory / current.MemoryLimit * 100.0 : 0,
            current.PidsCurrent,
            current.BlockIo.Where(b => b.Op == "read").Sum(b => b.Value),
            current.BlockIo.Where(b => b.Op == "write").Sum(b => b.Value),
            current.Networks.Values.Sum(n => n.RxBytes),
            current.Networks.Values.Sum(n => n.TxBytes));
    }
}
