using System.Globalization;
using Microsoft.Extensions.Logging;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>
    /// docker stop: the container's StopSignal (or <paramref name="signal"/>), SIGKILL after the timeout (the container's
    /// StopTimeout, else the engine's default; -1 waits forever); false when it was not running (Docker's 304).
    /// </summary>
    public async Task<bool> StopAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
            return await StopLockedAsync(entry, record, timeoutSeconds, signal, cancellationToken);
    }

    private async Task<bool> StopLockedAsync(ContainerEntry entry, ContainerRecord record, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var status = ContainerStore.Status(record);
        if (status == ContainerStatus.Restarting)
        {
            entry.CancelPendingRestart();
            await _store.UpdateAsync(record.Id, r =>
            {
                r.Status = ContainerStatusNames.ToStored(ContainerStatus.Exited);
                r.ManuallyStopped = true;
            }, cancellationToken, "stop");
            return true;
        }
        if (!ContainerStatusNames.HasProcess(status) || entry.Run is not { } run)
            return false;
        var config = ContainerStore.Config(record);
        var stopSignal = Signals.Parse(signal ?? (string.IsNullOrEmpty(config.StopSignal) ? "SIGTERM" : config.StopSignal));
        var timeout = timeoutSeconds ?? config.StopTimeout ?? _options.DefaultStopTimeoutSeconds;

        await _store.UpdateAsync(record.Id, r =>
        {
            r.Status = ContainerStatusNames.ToStored(ContainerStatus.Stopping);
            r.ManuallyStopped = true;
        }, cancellationToken, new ContainerEventSpec("kill", SignalAttributes(stopSignal)));
        await SignalAsync(run, stopSignal, status == ContainerStatus.Paused, cancellationToken);
        var exit = await WaitExitedAsync(run, timeout < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeout), cancellationToken);
        if (exit is null)
        {
            await _store.PublishAsync(record, new ContainerEventSpec("kill", SignalAttributes(SigKill)), cancellationToken);
            await run.Client.KillAsync(SigKill, all: true, cancellationToken: cancellationToken);
            exit = await run.Exited.Task.WaitAsync(cancellationToken);
        }
        await HandleExitLockedAsync(entry, run, exit, removing: false, cancellationToken);
        await _store.PublishAsync(record, "stop", cancellationToken);
        return true;
    }

    /// <summary>docker kill: signals the container's process (SIGKILL by default); a SIGKILL waits until the exit is recorded.</summary>
    public async Task KillAsync(string idOrName, string? signal, CancellationToken cancellationToken)
    {
        var number = Signals.Parse(string.IsNullOrEmpty(signal) ? "KILL" : signal);
        ContainerRun run;
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (!ContainerStatusNames.HasProcess(status) || entry.Run is null)
                throw new ConflictException($"Cannot kill container: {idOrName}: container {record.Id} is not running");
            run = entry.Run;
            var config = ContainerStore.Config(record);
            var stopSignal = Signals.Parse(string.IsNullOrEmpty(config.StopSignal) ? "SIGTERM" : config.StopSignal);
            // Killing with the stop signal or SIGKILL is stopping by hand: the restart policy must not bring it back.
            var stops = number == SigKill || number == stopSignal;
            await _store.UpdateAsync(record.Id, r => r.ManuallyStopped |= stops, cancellationToken,
                new ContainerEventSpec("kill", SignalAttributes(number)));
            if (!await SignalAsync(run, number, status == ContainerStatus.Paused && stops, cancellationToken))
                throw new ConflictException($"Cannot kill container: {idOrName}: container {record.Id} is not running");
        }
        if (number == SigKill)
            await run.Recorded.Task.WaitAsync(cancellationToken);
    }

    /// <summary>docker restart: stop (if running), then start; a "restart" event at the end.</summary>
    public async Task RestartAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            await StopLockedAsync(entry, record, timeoutSeconds, signal, cancellationToken);
            record = await _store.GetAsync(record.Id, cancellationToken);
            await StartLockedAsync(entry, record, policyRestart: false, cancellationToken);
            await _store.PublishAsync(record, "restart", cancellationToken);
        }
    }

    /// <summary>Sends a signal to the container's init process; a frozen container is thawed so that the signal is acted on.</summary>
    /// <returns>false when the process had exited already (the runtime refuses to signal it), true when it was signalled.</returns>
    private async Task<bool> SignalAsync(ContainerRun run, int signal, bool thaw, CancellationToken cancellationToken)
    {
        try
        {
            await run.Client.KillAsync(signal, all: signal == SigKill, cancellationToken: cancellationToken);
        }
        catch (EngineException)
        {
            if (await WaitExitedAsync(run, ExitGrace, cancellationToken) is not null)
                return false;
            throw;
        }
        if (thaw)
        {
            try
            {
                await run.Client.ResumeAsync(cancellationToken);
            }
            catch (EngineException e)
            {
                // As Moby: a failed resume is only a warning; SIGKILL may well have ended the frozen process already.
                _logger.LogWarning(e, "Cannot unpause the container of {Shim} after signalling it", run.Client.SocketPath);
            }
        }
        return true;
    }

    /// <summary>How long a process the runtime calls "not running" may take to be reported stopped by its shim (it drains the output first).</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);


    /// <summary>The run's exit status, or null when it did not exit within <paramref name="timeout"/>.</summary>
    private static async Task<ProcessStatus?> WaitExitedAsync(ContainerRun run, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await run.Exited.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> SignalAttributes(int signal) =>
        new() { ["signal"] = signal.ToString(CultureInfo.InvariantCulture) };
}
