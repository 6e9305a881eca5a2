namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>
    /// Registers a docker wait and returns at once; the waiter's Result completes on the condition. Registering before
    /// start is how `docker run` never misses a fast exit.
    /// </summary>
    public async Task<ContainerWaiter> BeginWaitAsync(string idOrName, WaitCondition condition, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(idOrName, cancellationToken);
        var entry = Entry(record.Id);
        switch (condition)
        {
            case WaitCondition.Removed:
                return new ContainerWaiter(record.Id, entry.Removed.Task);
            case WaitCondition.NextExit:
                return new ContainerWaiter(record.Id, entry.NextExit.Task);
            default:
                // Take the next exit first, then look at the state: an exit in between shows in the state.
                var next = entry.NextExit.Task;
                var current = await _store.FindAsync(record.Id, cancellationToken);
                if (current is null)
                    throw new NotFoundException($"No such container: {idOrName}");
                if (!ContainerStatusNames.IsActive(ContainerStore.Status(current)))
                    return new ContainerWaiter(record.Id, Task.FromResult(new ContainerExit(current.ExitCode, current.Error.Length > 0 ? current.Error : null)));
                return new ContainerWaiter(record.Id, next);
        }
    }

    /// <summary>docker wait: the exit once <paramref name="condition"/> holds.</summary>
    public async Task<ContainerExit> WaitAsync(string idOrName, WaitCondition condition, CancellationToken cancellationToken)
    {
        var waiter = await BeginWaitAsync(idOrName, condition, cancellationToken);
        return await waiter.Result.WaitAsync(cancellationToken);
    }
}
