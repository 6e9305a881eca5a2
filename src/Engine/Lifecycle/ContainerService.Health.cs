using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Shims;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    private static readonly TimeSpan DefaultProbeInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    private const int DefaultProbeRetries = 3;

    private readonly ConcurrentDictionary<string, HealthMonitor> _health = new(StringComparer.Ordinal);

    /// <summary>The container's health as its monitor has it; null when it has no healthcheck or never ran one.</summary>
    private ContainerHealth? HealthOf(string id) => _health.TryGetValue(id, out var monitor) ? monitor.Published : null;

    /// <summary>
    /// The health inspect and ps show: as stored with the row (which commits together with its health_status event),
    /// or the monitor's "starting" before a run's first result.
    /// </summary>
    private ContainerHealth? HealthOf(ContainerRecord record) => ParseHealth(record) ?? HealthOf(record.Id);

    /// <summary>docker ps's health filter value: starting, healthy, unhealthy, or none without a healthcheck.</summary>
    public string HealthStatus(string id) => HealthOf(id)?.Status ?? HealthStatuses.None;

    /// <summary>The health a container's row stored (status, failing streak, last results), as the engine left it.</summary>
    internal static ContainerHealth? ParseHealth(ContainerRecord record) =>
        record.HealthJson is { Length: > 0 } json ? JsonSerializer.Deserialize<ContainerHealth>(json, ContainerStore.Json) : null;

    /// <summary>A new engine shows the health each container had: a stopped one's as it was, a running one's goes on from it.</summary>
    private void RestoreHealth(ContainerRecord record)
    {
        if (ParseHealth(record) is { } stored)
            _health.TryAdd(record.Id, new HealthMonitor(DefaultProbeRetries, TimeSpan.Zero, record.StartedUtc ?? DateTime.UtcNow, stored));
    }

    /// <summary>
    /// Starts probing a run of a container that has a healthcheck; the probes end when the run does. A re-attached run
    /// goes on from its stored health; a new run starts as "starting".
    /// </summary>
    private void StartHealthcheck(ContainerEntry entry, ContainerRun run, ContainerConfig config, ContainerHealth? restored = null)
    {
        if (config.Healthcheck is not { Test: [var kind, ..] } check || kind == "NONE")
            return;
        var monitor = new HealthMonitor(check.Retries > 0 ? check.Retries : DefaultProbeRetries,
            FromNanoseconds(check.StartPeriod, TimeSpan.Zero), run.StartedUtc, restored);
        if (_health.TryGetValue(entry.Id, out var previous))
            previous.Stop.Cancel();
        _health[entry.Id] = monitor;
        var interval = FromNanoseconds(check.Interval, DefaultProbeInterval);
        var startInterval = FromNanoseconds(check.StartInterval, DefaultStartInterval);
        var timeout = FromNanoseconds(check.Timeout, DefaultProbeTimeout);
        var command = kind == "CMD-SHELL" ? ["/bin/sh", "-c", string.Join(' ', check.Test.Skip(1))] : check.Test.Skip(1).ToList();
        RunInBackground(async () =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(monitor.Stop.Token, _shutdown.Token);
            try
            {
                while (!stop.IsCancellationRequested && entry.Run == run)
                {
                    await Task.Delay(monitor.InStartPeriod(DateTime.UtcNow) ? startInterval : interval, stop.Token);
                    if (entry.Run != run)
                        return;
                    var result = await ProbeAsync(entry.Id, command, timeout, stop.Token);
                    if (result is null || entry.Run != run)
                        return;
                    await RecordHealthAsync(entry, run, monitor, result, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }, $"healthcheck of container {entry.Id}");
    }

    /// <summary>
    /// Records a probe's result while the run is current and stores the health with the container (Docker keeps it in
    /// the container's state), with the health_status event when it changed.
    /// </summary>
    private async Task RecordHealthAsync(ContainerEntry entry, ContainerRun run, HealthMonitor monitor, HealthProbeResult result,
        CancellationToken cancellationToken)
    {
        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            if (entry.Run != run)
                return;
            var changed = monitor.Record(result);
            var json = JsonSerializer.Serialize(monitor.Snapshot(), ContainerStore.Json);
            await _store.UpdateAsync(entry.Id, r => r.HealthJson = json, cancellationToken,
                changed is null ? [] : [new ContainerEventSpec("health_status: " + changed)]);
            monitor.Publish();
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    private static TimeSpan FromNanoseconds(long nanoseconds, TimeSpan fallback) => nanoseconds > 0 ? TimeSpan.FromTicks(nanoseconds / 100) : fallback;

    /// <summary>One probe through exec; null when the container stopped running under it.</summary>
    private async Task<HealthProbeResult?> ProbeAsync(string id, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = DateTime.UtcNow;
        string? execId = null;
        try
        {
            execId = await ExecCreateAsync(id, new ExecConfig { Cmd = command, AttachStdout = true, AttachStderr = true }, cancellationToken);
            var stream = await ExecStartAsync(execId, detach: false, cancellationToken);
            return await ProbeResultAsync(execId, stream, start, timeout, cancellationToken);
        }
        catch (Exception e) when (e is ConflictException or NotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is EngineException or IOException)
        {
            return new HealthProbeResult(start, DateTime.UtcNow, -1, e.Message);
        }
        finally
        {
            // As Moby: a probe's exec is not kept once its result is in; only users' execs stay inspectable.
            if (execId is not null)
                _execs.TryRemove(execId, out _);
        }
    }

    private async Task<HealthProbeResult> ProbeResultAsync(string execId, ShimAttachStream? stream, DateTime start, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var timer = Stopwatch.StartNew();
        await using (stream)
        {
            try
            {
                while (stream is not null && await stream.ReadAsync(limit.Token) is { } chunk)
                {
                    if (output.Length < HealthMonitor.MaxOutputBytes)
                        output.Write(chunk.Data, 0, (int)Math.Min(chunk.Data.Length, HealthMonitor.MaxOutputBytes - output.Length));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthProbeResult(start, DateTime.UtcNow, -1, $"Health check exceeded timeout ({timeout.TotalSeconds}s)");
            }
        }
        var text = Encoding.UTF8.GetString(output.ToArray());
        while (timer.Elapsed < timeout)
        {
            if ((await ExecInspectAsync(execId, cancellationToken)).ExitCode is { } exitCode)
                return new HealthProbeResult(start, DateTime.UtcNow, exitCode, text);
            await Task.Delay(20, cancellationToken);
        }
        return new HealthProbeResult(start, DateTime.UtcNow, -1, $"Health check exceeded timeout ({timeout.TotalSeconds}s)");
    }
}
