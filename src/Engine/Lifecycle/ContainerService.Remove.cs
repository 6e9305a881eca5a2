using Microsoft.Extensions.Logging;
using WebEngine.Data.Containers;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>
    /// docker rm: a running container only with <paramref name="force"/> (killed first). Removes the shim, the runtime's
    /// container and cgroup, the rootfs, the bundle and log, the row (with a "destroy" event), and with
    /// <paramref name="removeVolumes"/> the container's anonymous volumes.
    /// </summary>
    public async Task RemoveAsync(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (ContainerStatusNames.IsActive(status))
            {
                if (!force)
                    throw new ConflictException($"cannot remove container \"/{record.Name}\": container is {ContainerStatusNames.ToDocker(status)}: stop the container before removing or force remove");
                entry.CancelPendingRestart();
                if (entry.Run is { } run)
                {
                    await _store.UpdateAsync(record.Id, r => r.ManuallyStopped = true, cancellationToken,
                        new ContainerEventSpec("kill", SignalAttributes(SigKill)));
                    await SignalAsync(run, SigKill, status == ContainerStatus.Paused, cancellationToken);
                    var exit = await run.Exited.Task.WaitAsync(cancellationToken);
                    await HandleExitLockedAsync(entry, run, exit, removing: true, cancellationToken);
                }
            }
            await RemoveLockedAsync(entry, record, removeVolumes, cancellationToken);
        }
    }

    private async Task RemoveLockedAsync(ContainerEntry entry, ContainerRecord record, bool removeVolumes, CancellationToken cancellationToken)
    {
        var id = record.Id;
        await _store.UpdateAsync(id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Removing), cancellationToken);
        try
        {
            await RemoveShimAsync(record, cancellationToken);
            await _networks.ForgetAsync(id, CancellationToken.None);
            await _images.ReleaseRootfsAsync(id, cancellationToken);
            DeleteContainerDirectory(id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EngineException)
        {
            await _store.UpdateAsync(id, r =>
            {
                r.Status = ContainerStatusNames.ToStored(ContainerStatus.Dead);
                r.Error = $"removal failed: {e.Message}";
            }, CancellationToken.None);
            throw new ConflictException($"could not remove container {id}: {e.Message}", e);
        }
        await _store.DeleteAsync(id, "destroy", cancellationToken);
        if (removeVolumes)
        {
            foreach (var mount in MountPoint.ParseList(record.MountsJson).Where(m => m.Type == "volume" && m.Anonymous))
                await _volumes.DeleteUnusedAsync(mount.Name, cancellationToken);
        }
        entry.Removed.TrySetResult(new ContainerExit(record.ExitCode));
        _entries.TryRemove(id, out _);
        ForgetExecsOf(id);
        if (_health.TryRemove(id, out var health))
            health.Stop.Cancel();
        _logger.LogInformation("Removed container {ContainerId}", id);
    }
}
