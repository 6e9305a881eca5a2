namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker pause: freezes every process of the container (the cgroup freezer, through the runtime).</summary>
    public async Task PauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (status == ContainerStatus.Paused)
                throw new ConflictException($"container {record.Id} is already paused");
            if (status != ContainerStatus.Running || entry.Run is not { } run)
                throw new ConflictException($"container {record.Id} is not running");
            await run.Client.PauseAsync(cancellationToken);
            await _store.UpdateAsync(record.Id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Paused), cancellationToken, "pause");
        }
    }

    public async Task UnpauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (ContainerStore.Status(record) != ContainerStatus.Paused || entry.Run is not { } run)
                throw new ConflictException($"container {record.Id} is not paused");
            await run.Client.ResumeAsync(cancellationToken);
            await _store.UpdateAsync(record.Id, r => r.Status = ContainerStatusNames.ToStored(ContainerStatus.Running), cancellationToken, "unpause");
        }
    }
}
