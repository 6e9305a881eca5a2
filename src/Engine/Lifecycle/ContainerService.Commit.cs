using WebEngine.Engine.Containers;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Rootfs;
using ImageContainerConfig = WebEngine.Engine.Images.Model.ContainerConfig;
using ImageHealthcheck = WebEngine.Engine.Images.Model.HealthcheckConfig;

namespace WebEngine.Engine.Lifecycle;

/// <summary>docker commit's options: the POST /commit query (repo, tag, comment, author, pause, changes) and its body.</summary>
public sealed record ContainerCommitOptions
{
    public string? Repository { get; init; }
    public string? Tag { get; init; }
    public string? Comment { get; init; }
    public string? Author { get; init; }

    /// <summary>Freeze a running container while its layer is written (Docker's default), and thaw it after.</summary>
    public bool Pause { get; init; } = true;

    /// <summary>Dockerfile instructions applied to the new image's config (`docker commit --change`).</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    /// <summary>A config whose values win over the container's (the request body); null when none was sent.</summary>
    public ContainerConfig? Config { get; init; }
}

public sealed partial class ContainerService
{
    /// <summary>docker diff: what changed in the container's root file system since its image; running or not.</summary>
    public async Task<IReadOnlyList<RootfsChange>> ChangesAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(idOrName, cancellationToken);
        if (ContainerStore.Status(record) is ContainerStatus.Removing or ContainerStatus.Dead)
            throw new ConflictException($"container {record.Id} is {ContainerStatusNames.ToDocker(ContainerStore.Status(record))}: it has no changes to list");
        return await _images.RootfsChangesAsync(record.Id, record.ImageId, cancellationToken);
    }

    /// <summary>
    /// docker commit: an image of the container's image layers and its changes, configured as the container is (the
    /// body's config and the changes over it). A running container is paused meanwhile unless told not to, and resumed
    /// whatever happens; the container reports `commit`, the image `tag` when it got a name.
    /// </summary>
    public async Task<ImageDetails> CommitAsync(string idOrName, ContainerCommitOptions options, CancellationToken cancellationToken)
    {
        var tag = CommitReference(options.Repository, options.Tag);
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            var status = ContainerStore.Status(record);
            if (status is ContainerStatus.Removing or ContainerStatus.Dead)
                throw new ConflictException($"container {record.Id} is {ContainerStatusNames.ToDocker(status)}: it cannot be committed");
            var container = ContainerStore.Config(record);
            var config = ImageConfigOf(options.Config is null ? container : ContainerConfigMerge.Apply(options.Config, RuntimeConfigOf(container)));
            ImageChanges.ApplyToCommit(config, options.Changes);
            var request = new ContainerCommitRequest(record.Id, record.ImageId, config, string.Join(' ', ContainerConfigMerge.CommandLine(container)))
            {
                Tag = tag,
                Comment = options.Comment,
                Author = options.Author,
            };
            var pause = options.Pause && status == ContainerStatus.Running;
            if (pause)
                await PauseLockedAsync(entry, record, cancellationToken);
            ImageDetails image;
            try
            {
                image = await new ContainerCommitter(_images).CommitAsync(request, cancellationToken);
            }
            finally
            {
                if (pause)
                    await UnpauseLockedAsync(entry, record, CancellationToken.None);
            }
            await _store.PublishAsync(record, new ContainerEventSpec("commit", new Dictionary<string, string>
            {
                ["comment"] = options.Comment ?? "",
                ["imageID"] = image.Id,
                ["imageRef"] = tag?.ToFamiliarString() ?? "",
            }), cancellationToken);
            return image;
        }
    }

    /// <summary>repo and tag as dockerd reads them: no repository means no name (a tag alone is ignored); a bad tag is refused.</summary>
    private static ImageReference? CommitReference(string? repository, string? tag)
    {
        if (string.IsNullOrEmpty(repository))
            return null;
        var reference = ImageReference.ParseNormalized(repository);
        if (reference.Digest is not null)
            throw new InvalidArgumentException($"refusing to create a tag with a digest reference: {repository}");
        if (string.IsNullOrEmpty(tag))
            return reference;
        if (!ImageReference.IsValidTag(tag))
            throw new InvalidArgumentException("invalid tag format");
        return ImageReference.ParseNormalized(reference.Repository + ":" + tag);
    }

    /// <summary>The container's config in the form ContainerConfigMerge takes an image's, for the body's config to be merged over.</summary>
    private static ImageRuntimeConfig RuntimeConfigOf(ContainerConfig container) => new()
    {
        Env = container.Env,
        Cmd = container.Cmd,
        Entrypoint = container.Entrypoint,
        WorkingDir = container.WorkingDir,
        User = container.User,
        Volumes = container.Volumes,
        ExposedPorts = container.ExposedPorts,
        StopSignal = container.StopSignal,
        Healthcheck = container.Healthcheck,
        Labels = container.Labels,
    };

    /// <summary>The image config's "config" object of a container config (what a container of the image starts with).</summary>
    private static ImageContainerConfig ImageConfigOf(ContainerConfig config) => new()
    {
        User = NullIfEmpty(config.User),
        ExposedPorts = config.ExposedPorts.Count == 0 ? null : config.ExposedPorts.ToDictionary(p => p, _ => ImageChanges.EmptyObject()),
        Env = [.. config.Env],
        Entrypoint = config.Entrypoint?.ToList(),
        Cmd = config.Cmd?.ToList(),
        Volumes = config.Volumes.Count == 0 ? null : config.Volumes.ToDictionary(v => v, _ => ImageChanges.EmptyObject()),
        WorkingDir = NullIfEmpty(config.WorkingDir),
        Labels = config.Labels.Count == 0 ? null : new Dictionary<string, string>(config.Labels),
        StopSignal = NullIfEmpty(config.StopSignal),
        Healthcheck = config.Healthcheck is { } health
            ? new ImageHealthcheck { Test = [.. health.Test], Interval = health.Interval, Timeout = health.Timeout, StartPeriod = health.StartPeriod, Retries = health.Retries }
            : null,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
