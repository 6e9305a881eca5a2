using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// One committed container row as <see cref="ContainerStore"/> keeps it in memory, with its JSON columns parsed at most
/// once. Never changed: a commit replaces it, so a reader that holds one sees one consistent version of the row.
/// </summary>
internal sealed class ContainerSnapshot(ContainerRecord record)
{
    private ContainerConfig? _config;
    private HostConfig? _hostConfig;
    private IReadOnlyList<MountPoint>? _mounts;
    private readonly Lazy<ContainerHealth?> _health = new(() => ContainerService.ParseHealth(record));

    /// <summary>The row itself; callers outside the store get a <see cref="ContainerRecord.Copy"/>.</summary>
    public ContainerRecord Record { get; } = record;

    public ContainerStatus Status { get; } = ContainerStore.Status(record);

    // Parsing twice in a race gives equal values: the last write wins, harmlessly.
    public ContainerConfig Config => _config ??= ContainerStore.Config(Record);

    public HostConfig HostConfig => _hostConfig ??= ContainerStore.HostConfig(Record);

    public IReadOnlyList<MountPoint> Mounts => _mounts ??= MountPoint.ParseList(Record.MountsJson);

    /// <summary>The health stored with the row; null without one.</summary>
    public ContainerHealth? StoredHealth => _health.Value;
}
