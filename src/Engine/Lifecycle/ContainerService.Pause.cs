using WebEngine.Data.Containers;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker pause: freezes every process of the container (the cgroup freezer, through the runtime).</summary>
    public async Task PauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (ContainerStore.Status(record) == ContainerStatus.Paused)
                throw new ConflictException($"container {record.Id} is already paused");
            await PauseLockedAsync(entry, record, cancellationToken);
        }
    }

    public async Task UnpauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (ContainerStore.Status(record) != ContainerStatus.Paused)
                throw new ConflictException($"container {record.Id} is not paused");
            await UnpauseLockedAsync(entry, record, cancellationToken);
        }
    }

    /// <summary>Pauses a running container whose lock the caller holds (docker pause, and docker commit while it commits).</summary>
    private async Task PauseLockedAsync(ContainerEntry entry, ContainerRecord record, CancellationToken cancellationToken)
    {
        if (ContainerStore.Status(record) != ContainerStatus.Running || entry.Run is not { } run)
            throw new ConflictException($"container {record.Id} is not running");
        await run.Client.PauseAsync(cancellationToken);
        await _store.UpdateAsync(record.Id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Paused), cancellationToken, "pause");
    }

    private async Task UnpauseLockedAsync(ContainerEntry entry, ContainerRecord record, CancellationToken cancellationToken)
    {
        if (entry.Run is not { } run)
            throw new ConflictException($"container {record.Id} is not paused");
        await run.Client.ResumeAsync(cancellationToken);
        await _store.UpdateAsync(record.Id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Running), cancellationToken, "unpause");
    }
}
