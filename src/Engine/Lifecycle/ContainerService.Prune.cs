namespace WebEngine.Engine.Lifecycle;

/// <summary>docker container prune's filters: created before <see cref="Until"/>; labels as in docker ps ("key", "key=value"), and labels that must not match.</summary>
public sealed record ContainerPruneOptions
{
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public IReadOnlyList<string> NotLabels { get; init; } = [];
}

public sealed record ContainerPruneResult(IReadOnlyList<string> ContainersDeleted, long SpaceReclaimed);

public sealed partial class ContainerService
{
    /// <summary>
    /// docker container prune: removes every stopped container (created, exited, dead) the filters select; a container
    /// that started or went away meanwhile is left out. SpaceReclaimed counts what the removed containers had written.
    /// </summary>
    public async Task<ContainerPruneResult> PruneAsync(ContainerPruneOptions options, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var record in await _store.ListAsync(cancellationToken))
        {
            var status = ContainerStore.Status(record);
            if (status is not (ContainerStatus.Created or ContainerStatus.Exited or ContainerStatus.Dead))
                continue;
            if (options.Until is { } until && new DateTimeOffset(DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc)) >= until)
                continue;
            var labels = ContainerStore.Config(record).Labels;
            if (!options.Labels.All(l => HasLabel(labels, l)) || options.NotLabels.Any(l => HasLabel(labels, l)))
                continue;
            var size = WrittenBytes(record.Id);
            try
            {
                await RemoveAsync(record.Id, force: false, removeVolumes: false, cancellationToken);
            }
            catch (Exception e) when (e is NotFoundException or ConflictException)
            {
                continue;
            }
            deleted.Add(record.Id);
            reclaimed += size;
        }
        await _store.PublishPruneAsync(reclaimed, cancellationToken);
        return new ContainerPruneResult(deleted, reclaimed);
    }

    /// <summary>The bytes the container has written to its own layer (the overlay upper dir), as Docker's SizeRw.</summary>
    public long WrittenBytes(string id)
    {
        var upper = Path.Combine(_paths.Directory(id), "upper");
        if (!Directory.Exists(upper))
            return 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        return new DirectoryInfo(upper).EnumerateFiles("*", options).Where(f => f.LinkTarget is null).Sum(f => f.Length);
    }
}
