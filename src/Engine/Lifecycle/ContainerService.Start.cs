using System.Globalization;
using Microsoft.Extensions.Logging;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Shims;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker start: false when the container was already running (Docker's 304).</summary>
    public async Task<bool> StartAsync(string idOrName, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            switch (ContainerStore.Status(record))
            {
                case var s when ContainerStatusNames.HasProcess(s):
                    return false;
                case ContainerStatus.Removing:
                    throw new ConflictException($"container {record.Id} is marked for removal and cannot be started");
            }
            await StartLockedAsync(entry, record, policyRestart: false, cancellationToken);
            return true;
        }
    }

    /// <summary>
    /// Launches the container's shim (which runs the runtime's create), connects the attaches that were waiting, starts
    /// the process and records it running; then watches for its exit. A process that cannot be run (127/126) is recorded
    /// as exited with the runtime's error, which is also thrown. A start that fails at any step releases what it set up
    /// (shim connection, network, shareable /dev/shm) and, as Moby, auto-removes the container: `docker run --rm` waits
    /// for that removal after a failed start, so without it the CLI would wait for ever.
    /// </summary>
    private async Task StartLockedAsync(ContainerEntry entry, ContainerRecord record, bool policyRestart, CancellationToken cancellationToken)
    {
        var id = record.Id;
        entry.CancelPendingRestart();
        await RemoveShimAsync(record, cancellationToken);
        var config = ContainerStore.Config(record);
        var host = ContainerStore.HostConfig(record);
        var (logMaxSize, logMaxFiles) = host.LogConfig.Rotation(_options.LogMaxSize, _options.LogMaxFiles);
        var stateDirectory = _paths.ShimStateDirectory(id);
        Directory.CreateDirectory(stateDirectory);
        var runtimeRoot = _paths.RuntimeRoot(record.Runtime);
        Directory.CreateDirectory(runtimeRoot);
        ShimClient? client = null;
        var networkUp = false;
        var started = false;
        try
        {
            await PrepareNamespacesAsync(record, config, host, cancellationToken);
            await SetUpNetworkAsync(record, config, cancellationToken);
            networkUp = true;
            client = await _launcher.LaunchAsync(new ShimLaunchRequest
            {
                ContainerId = id,
                BundlePath = _paths.Directory(id),
                SocketPath = _paths.SocketPath(id),
                StateDirectory = stateDirectory,
                LogPath = host.LogConfig.KeepsNoLog ? null : _paths.LogPath(id),
                RuntimePath = _paths.RuntimePath(record.Runtime),
                RuntimeRoot = runtimeRoot,
                OpenStdin = config.OpenStdin,
                LogMaxSize = logMaxSize,
                LogMaxFiles = logMaxFiles,
            }, cancellationToken);
            var status = await client.GetStateAsync(cancellationToken: cancellationToken);
            if (status.Status == ProcessStatuses.Created)
            {
                await ConnectPendingAttachesAsync(entry, client, cancellationToken);
                status = await client.StartAsync(cancellationToken);
            }
            // A process may well have run and exited before the start was answered: only an error means it never ran.
            var ran = status.Status is ProcessStatuses.Running or ProcessStatuses.Paused
                      || (status.Status == ProcessStatuses.Stopped && string.IsNullOrEmpty(status.Error) && status.Pid > 0);
            if (!ran)
            {
                await RecordFailedStartAsync(entry, record, status, cancellationToken);
                var message = $"failed to start container {id}: {status.Error ?? $"the process ended at once with exit code {status.ExitCode}"}";
                throw status.ExitCode is 126 or 127 ? new InvalidArgumentException(message) : new ShimRuntimeException(message);
            }
            var startedUtc = status.StartedAt?.UtcDateTime ?? DateTime.UtcNow;
            if (status.FinishedAt is { } finishedAt && finishedAt.UtcDateTime < startedUtc)
                startedUtc = finishedAt.UtcDateTime;
            await _store.UpdateAsync(id, r =>
            {
                r.Status = ContainerStatusNames.ToStored(ContainerStatus.Running);
                r.Pid = status.Pid;
                r.ExitCode = 0;
                r.Error = "";
                r.OomKilled = false;
                r.ManuallyStopped = false;
                r.StartedUtc = startedUtc;
                r.RestartCount = policyRestart ? r.RestartCount + 1 : r.RestartCount;
                r.HealthJson = null;
            }, cancellationToken, "start");
            var run = new ContainerRun(client, status.Pid, startedUtc);
            entry.Run = run;
            started = true;
            Monitor(entry, run);
            StartHealthcheck(entry, run, config);
            _logger.LogInformation("Started container {ContainerId} (pid {Pid})", id, status.Pid);
        }
        finally
        {
            if (!started)
            {
                if (client is not null)
                    await client.DisposeAsync();
                if (networkUp)
                    await _networks.TearDownAsync(id, CancellationToken.None);
                if (host.IpcMode == NamespaceModes.Shareable)
                    UnmountShareableShm(id);
                if (host.AutoRemove)
                    RunInBackground(() => RemoveAsync(id, force: true, removeVolumes: true, _shutdown.Token), $"auto-removal of container {id}");
            }
        }
    }

    /// <summary>
    /// The container's network before its process starts: its own namespace, interfaces and published ports, or, with
    /// NetworkMode container:&lt;id&gt;, a check that the container whose namespace it joins is running.
    /// </summary>
    private async Task SetUpNetworkAsync(ContainerRecord record, Containers.ContainerConfig config, CancellationToken cancellationToken)
    {
        var host = ContainerStore.HostConfig(record);
        if (host.NetworkContainer is { } other)
        {
            var target = await _store.FindAsync(other, cancellationToken);
            if (target is null || !ContainerStatusNames.HasProcess(ContainerStore.Status(target)))
                throw new ConflictException($"cannot join network namespace of a non running container: {other}");
            return;
        }
        var ports = PublishedPorts.Requests(host.PortBindings, host.PublishAllPorts, config.ExposedPorts);
        await _networks.SetUpAsync(NetworkIdentity(record.Id, record.Name, config), ports, cancellationToken);
    }

    private static async Task ConnectPendingAttachesAsync(ContainerEntry entry, ShimClient client, CancellationToken cancellationToken)
    {
        List<PendingAttach> pending;
        lock (entry.PendingAttaches)
        {
            pending = [.. entry.PendingAttaches];
            entry.PendingAttaches.Clear();
        }
        foreach (var attach in pending.Where(a => !a.Stream.Task.IsCompleted))
        {
            try
            {
                attach.Stream.TrySetResult(await client.AttachAsync(attach.Options, cancellationToken: cancellationToken));
            }
            catch (EngineException e)
            {
                attach.Stream.TrySetException(e);
            }
        }
    }

    private async Task RecordFailedStartAsync(ContainerEntry entry, ContainerRecord record, ProcessStatus status, CancellationToken cancellationToken)
    {
        var exitCode = status.ExitCode ?? 128;
        await _store.UpdateAsync(record.Id, r =>
        {
            r.Status = ContainerStatusNames.ToStored(ContainerStatus.Exited);
            r.Pid = 0;
            r.ExitCode = exitCode;
            r.Error = status.Error ?? "";
            r.FinishedUtc = status.FinishedAt?.UtcDateTime ?? DateTime.UtcNow;
        }, cancellationToken, new ContainerEventSpec("die", ExitAttributes(exitCode)));
        entry.CompleteExit(new ContainerExit(exitCode, status.Error));
        await RemoveShimAsync(record, cancellationToken);
    }

    /// <summary>Watches a run until the shim reports its exit, then records it (unless stop or remove already did).</summary>
    private void Monitor(ContainerEntry entry, ContainerRun run) => RunInBackground(async () =>
    {
        var status = await WaitForExitAsync(entry.Id, run.Client, _shutdown.Token);
        run.Exited.TrySetResult(status);
        await entry.Lock.WaitAsync(_shutdown.Token);
        try
        {
            if (!run.Handled)
                await HandleExitLockedAsync(entry, run, status, removing: false, _shutdown.Token);
        }
        finally
        {
            entry.Lock.Release();
        }
    }, $"monitor of container {entry.Id}");

    /// <summary>The process's final status from its shim; if the shim is gone, from the exit record it left, or a dead status.</summary>
    private async Task<ProcessStatus> WaitForExitAsync(string id, ShimClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.WaitAsync(cancellationToken: cancellationToken);
        }
        catch (EngineException e)
        {
            return GoneShimStatus(id, e.Message);
        }
    }

    private ProcessStatus GoneShimStatus(string id, string reason)
    {
        if (ShimLauncher.ReadExitRecord(_paths.ShimStateDirectory(id)) is { } exit)
        {
            return new ProcessStatus
            {
                Id = id, Status = ProcessStatuses.Stopped, Pid = exit.Pid, ExitCode = exit.ExitCode, StartedAt = exit.StartedAt,
                FinishedAt = exit.FinishedAt, Error = exit.Error,
            };
        }
        return new ProcessStatus
        {
            Id = id, Status = ProcessStatuses.Deleted, ExitCode = DeadExitCode, FinishedAt = DateTimeOffset.UtcNow,
            Error = $"the shim of container {id} is gone and left no exit status: {reason}",
        };
    }

    /// <summary>Docker's exit code for a container whose end is unknown.</summary>
    private const int DeadExitCode = 255;

    /// <summary>
    /// Records the end of a run: exited (or dead when the shim vanished) with its code and time and a "die" event;
    /// releases the shim; then the restart policy or AutoRemove, unless the container is being removed.
    /// </summary>
    private async Task HandleExitLockedAsync(ContainerEntry entry, ContainerRun run, ProcessStatus status, bool removing, CancellationToken cancellationToken)
    {
        run.Handled = true;
        if (entry.Run == run)
            entry.Run = null;
        var id = entry.Id;
        var dead = status.Status == ProcessStatuses.Deleted;
        var exitCode = status.ExitCode ?? DeadExitCode;
        var finished = status.FinishedAt?.UtcDateTime ?? DateTime.UtcNow;
        var record = await _store.GetAsync(id, cancellationToken);
        var host = ContainerStore.HostConfig(record);
        var oomKilled = exitCode == 137 && OomKilled(id);
        var restart = !removing && !dead && RestartPolicies.ShouldRestart(host.RestartPolicy, exitCode, record.ManuallyStopped, record.RestartCount);
        await _store.UpdateAsync(id, r =>
        {
            r.Status = ContainerStatusNames.ToStored(dead ? ContainerStatus.Dead : restart ? ContainerStatus.Restarting : ContainerStatus.Exited);
            r.Pid = 0;
            r.ExitCode = exitCode;
            r.Error = status.Error ?? "";
            r.OomKilled = oomKilled;
            r.FinishedUtc = finished;
            // The shim stamps the start when `runtime start` returns, which a fast process can outlive: it started no later than it ended.
            if (r.StartedUtc > finished)
                r.StartedUtc = finished;
        }, cancellationToken, oomKilled ? [new ContainerEventSpec("oom"), new ContainerEventSpec("die", ExitAttributes(exitCode))]
            : [new ContainerEventSpec("die", ExitAttributes(exitCode))]);
        await run.Client.DisposeAsync();
        await RemoveShimAsync(record, cancellationToken);
        await _networks.TearDownAsync(id, CancellationToken.None);
        // As Docker: a shareable /dev/shm lives while the container runs (containers that joined it keep their binds).
        if (host.IpcMode == NamespaceModes.Shareable)
            UnmountShareableShm(id);
        run.Recorded.TrySetResult();
        entry.CompleteExit(new ContainerExit(exitCode, string.IsNullOrEmpty(status.Error) ? null : status.Error));
        _logger.LogInformation("Container {ContainerId} exited with {ExitCode}", id, exitCode);

        if (restart)
        {
            entry.RestartDelay = RestartPolicies.NextDelay(entry.RestartDelay, finished - run.StartedUtc);
            ScheduleRestart(entry, entry.RestartDelay);
        }
        else if (host.AutoRemove && !removing)
        {
            RunInBackground(() => RemoveAsync(id, force: true, removeVolumes: true, _shutdown.Token), $"auto-removal of container {id}");
        }
    }

    private void ScheduleRestart(ContainerEntry entry, TimeSpan delay)
    {
        entry.CancelPendingRestart();
        var pending = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        entry.PendingRestart = pending;
        RunInBackground(async () =>
        {
            using (pending)
            {
                await Task.Delay(delay, pending.Token);
                await entry.Lock.WaitAsync(pending.Token);
                try
                {
                    if (pending.IsCancellationRequested)
                        return;
                    entry.PendingRestart = null;
                    var record = await _store.FindAsync(entry.Id, _shutdown.Token);
                    if (record is null || ContainerStore.Status(record) != ContainerStatus.Restarting)
                        return;
                    try
                    {
                        await StartLockedAsync(entry, record, policyRestart: true, _shutdown.Token);
                    }
                    catch (EngineException e)
                    {
                        _logger.LogWarning(e, "Restart of container {ContainerId} failed", entry.Id);
                    }
                }
                finally
                {
                    entry.Lock.Release();
                }
            }
        }, $"policy restart of container {entry.Id}");
    }

    /// <summary>
    /// Takes down whatever is left of a previous run: the runtime's container (delete --force through the shim, or
    /// the runtime directly when the shim is gone), the shim itself, its socket and state directory.
    /// </summary>
    private async Task RemoveShimAsync(ContainerRecord record, CancellationToken cancellationToken)
    {
        var socket = _paths.SocketPath(record.Id);
        if (File.Exists(socket))
        {
            await using var client = new ShimClient(socket, TimeSpan.FromMilliseconds(500));
            try
            {
                await client.DeleteAsync(force: true, cancellationToken);
                await client.ShutdownAsync(cancellationToken);
            }
            catch (EngineException e)
            {
                _logger.LogDebug(e, "shim of container {ContainerId} did not shut down cleanly", record.Id);
            }
        }
        await RuntimeCommand.DeleteAsync(_paths.RuntimePath(record.Runtime), _paths.RuntimeRoot(record.Runtime), record.Id, cancellationToken);
        if (File.Exists(socket))
            File.Delete(socket);
        var state = _paths.ShimStateDirectory(record.Id);
        if (Directory.Exists(state))
            Directory.Delete(state, recursive: true);
    }

    /// <summary>The kernel's OOM killer hit the container's cgroup (cgroup v2 memory.events or v1 memory.oom_control).</summary>
    private bool OomKilled(string id)
    {
        var relative = _options.CgroupParent.Trim('/') + "/" + id;
        foreach (var (file, key) in new[] { ($"/sys/fs/cgroup/{relative}/memory.events", "oom_kill"), ($"/sys/fs/cgroup/memory/{relative}/memory.oom_control", "oom_kill") })
        {
            try
            {
                foreach (var line in File.ReadLines(file))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var count) && count > 0)
                        return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The cgroup is gone already (the runtime removed it): nothing tells of an OOM kill.
            }
        }
        return false;
    }

    private static Dictionary<string, string> ExitAttributes(int exitCode) =>
        new() { ["exitCode"] = exitCode.ToString(CultureInfo.InvariantCulture) };
}
