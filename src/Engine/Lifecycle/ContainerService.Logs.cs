using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>
    /// docker logs from the container's json-file log (tail, since, until, follow); a follow ends when the container
    /// stops, after the last line it wrote. A container with the "none" driver has nothing to read: Docker's 400.
    /// </summary>
    public async Task<IAsyncEnumerable<LogEntry>> LogsAsync(string idOrName, LogReadOptions options, CancellationToken cancellationToken)
    {
        if (!options.Stdout && !options.Stderr)
            throw new InvalidArgumentException("Bad parameters: you must choose at least one stream");
        var record = await _store.GetAsync(idOrName, cancellationToken);
        if (ContainerStore.HostConfig(record).LogConfig.KeepsNoLog)
            throw new InvalidArgumentException("configured logging driver does not support reading");
        if (options.Follow)
        {
            var entry = Entry(record.Id);
            var exit = entry.NextExit.Task;
            var current = await _store.GetAsync(record.Id, cancellationToken);
            var running = ContainerStatusNames.IsActive(ContainerStore.Status(current));
            options = options with { FollowUntil = running ? exit : Task.CompletedTask };
        }
        return JsonFileLogReader.ReadAsync(_paths.LogPath(record.Id), options, cancellationToken);
    }

    /// <summary>
    /// docker attach: the live output of the container's process (and its stdin if asked for). For a container that is
    /// not running yet the stream connects when it starts, before its process runs, so no output is missed.
    /// </summary>
    public async Task<Task<ShimAttachStream>> AttachAsync(string idOrName, ShimAttachOptions options, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (ContainerStatusNames.HasProcess(status) && entry.Run is { } run)
                return Task.FromResult(await run.Client.AttachAsync(options, cancellationToken: cancellationToken));
            if (status is ContainerStatus.Removing or ContainerStatus.Dead)
                throw new ConflictException($"You cannot attach to a container that is {ContainerStatusNames.ToDocker(status)}");
            var pending = new PendingAttach(options, new TaskCompletionSource<ShimAttachStream>(TaskCreationOptions.RunContinuationsAsynchronously));
            var registration = cancellationToken.Register(() => pending.Stream.TrySetCanceled(cancellationToken));
            _ = pending.Stream.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
            lock (entry.PendingAttaches)
                entry.PendingAttaches.Add(pending);
            return pending.Stream.Task;
        }
    }

    /// <summary>Resizes the terminal of the container's process.</summary>
    public async Task ResizeAsync(string idOrName, ushort height, ushort width, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (entry.Run is not { } run)
                throw new ConflictException($"container {record.Id} is not running");
            await run.Client.ResizeAsync(width, height, cancellationToken: cancellationToken);
        }
    }
}
