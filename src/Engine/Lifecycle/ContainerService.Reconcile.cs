using Microsoft.Extensions.Logging;
using WebEngine.Data.Containers;
using WebEngine.Engine.Shims;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>
    /// Brings SQLite and the shims together when the engine starts (call once, before serving requests): a running
    /// container is re-attached through its shim (same pid); one that exited while the engine was away gets its real
    /// exit code and time (from the shim, or the exit record a vanished shim left); one whose shim is gone without a
    /// record is marked dead with the reason; what a create or remove left half-done is cleaned up. Restart policies
    /// apply after that.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var records = await _store.ListAsync(cancellationToken);
        await _networks.EnsureNetworksAsync(cancellationToken);
        await RemoveOrphansAsync(records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal), cancellationToken);
        var restarts = new List<(ContainerEntry Entry, TimeSpan Delay)>();
        foreach (var record in records)
        {
            var entry = Entry(record.Id);
            await entry.Lock.WaitAsync(cancellationToken);
            try
            {
                var restart = await ReconcileLockedAsync(entry, record, cancellationToken);
                if (restart is { } delay)
                    restarts.Add((entry, delay));
            }
            catch (Exception e) when (e is EngineException or IOException)
            {
                _logger.LogError(e, "Reconciling container {ContainerId} failed", record.Id);
            }
            finally
            {
                entry.Lock.Release();
            }
        }
        var running = _entries.Values.Where(e => e.Run is not null).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        await _networks.CleanUpAsync(running, records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal), cancellationToken);
        foreach (var (entry, delay) in restarts)
            ScheduleRestart(entry, delay);
    }

    /// <summary>Returns the delay of a restart to schedule once every container is reconciled, or null.</summary>
    private async Task<TimeSpan?> ReconcileLockedAsync(ContainerEntry entry, ContainerRecord record, CancellationToken cancellationToken)
    {
        var status = ContainerStore.Status(record);
        var host = ContainerStore.HostConfig(record);
        RestoreHealth(record);
        switch (status)
        {
            case ContainerStatus.Removing:
                await RemoveLockedAsync(entry, record, removeVolumes: host.AutoRemove, cancellationToken);
                return null;
            case ContainerStatus.Restarting:
                await RemoveShimAsync(record, cancellationToken);
                return RestartPolicies.InitialDelay;
            case ContainerStatus.Exited or ContainerStatus.Dead:
                await RemoveShimAsync(record, cancellationToken);
                if (!RestartPolicies.ShouldRestartOnEngineStart(host.RestartPolicy, record.ExitCode, record.ManuallyStopped, record.RestartCount))
                    return null;
                await _store.UpdateAsync(record.Id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Restarting), cancellationToken);
                return RestartPolicies.InitialDelay;
        }

        // Created (a start may have got as far as the shim), running, paused or stopping: ask the shim.
        var socket = _paths.SocketPath(record.Id);
        ShimClient? client = File.Exists(socket) ? new ShimClient(socket, TimeSpan.FromSeconds(1)) : null;
        ProcessStatus? shim = null;
        string reason = "its socket is gone";
        if (client is not null)
        {
            try
            {
                shim = await client.GetStateAsync(cancellationToken: cancellationToken);
            }
            catch (EngineException e)
            {
                reason = e.Message;
            }
        }
        if (shim is { Status: ProcessStatuses.Running or ProcessStatuses.Paused })
        {
            var startedUtc = shim.StartedAt?.UtcDateTime ?? record.StartedUtc ?? DateTime.UtcNow;
            var live = shim.Status == ProcessStatuses.Paused ? ContainerStatus.Paused : ContainerStatus.Running;
            var adopted = status == ContainerStatus.Created;
            await _store.UpdateAsync(record.Id, r =>
            {
                r.Status = ContainerStatusNames.ToStored(live);
                r.Pid = shim.Pid;
                r.StartedUtc = startedUtc;
            }, cancellationToken, adopted ? ["start"] : []);
            var run = new ContainerRun(client!, shim.Pid, startedUtc);
            entry.Run = run;
            Monitor(entry, run);
            StartHealthcheck(entry, run, ContainerStore.Config(record), ParseHealth(record));
            _logger.LogInformation("Re-attached container {ContainerId} (pid {Pid})", record.Id, shim.Pid);
            return null;
        }
        if (status == ContainerStatus.Created)
        {
            // The engine went away during a start, before the process ran: the start did not happen.
            if (client is not null)
                await client.DisposeAsync();
            await RemoveShimAsync(record, cancellationToken);
            return null;
        }
        if (client is not null)
            await client.DisposeAsync();
        var exit = shim is { Status: ProcessStatuses.Stopped } ? shim : GoneShimStatus(record.Id, reason);
        var ended = new ContainerRun(new ShimClient(socket), record.Pid, record.StartedUtc ?? DateTime.UtcNow);
        ended.Exited.TrySetResult(exit);
        entry.Run = ended;
        await HandleExitLockedAsync(entry, ended, exit, removing: false, cancellationToken);
        // HandleExit schedules the policy's restart itself.
        return null;
    }

    /// <summary>
    /// Containers directories, shim state and runtime state that no row owns: what a create or remove interrupted by
    /// the engine's end left behind. Nothing of it was ever visible, so it goes.
    /// </summary>
    private async Task RemoveOrphansAsync(HashSet<string> known, CancellationToken cancellationToken)
    {
        foreach (var directory in Directory.EnumerateDirectories(_options.ContainersDirectory))
        {
            var id = Path.GetFileName(directory);
            if (known.Contains(id) || id.Length != 64)
                continue;
            _logger.LogWarning("Removing {Directory}: left by a create that did not finish", directory);
            await _images.ReleaseRootfsAsync(id, cancellationToken);
            DeleteContainerDirectory(id);
        }
        foreach (var directory in Directory.EnumerateDirectories(_options.ShimsDirectory))
        {
            var id = Path.GetFileName(directory);
            if (known.Contains(id) || id.Length != 64)
                continue;
            foreach (var runtime in _options.Runtimes.Keys)
            {
                await RemoveShimAsync(new ContainerRecord
                {
                    Id = id, Name = id, ImageId = "", ImageReference = "", ConfigJson = "{}", HostConfigJson = "{}", Status = "dead", Runtime = runtime,
                }, cancellationToken);
            }
        }
    }
}
