using System.Text.RegularExpressions;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>Docker's zero time, which inspect shows for StartedAt/FinishedAt before they happen.</summary>
    private static readonly DateTime ZeroTime = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);

    public async Task<ContainerDetails> InspectAsync(string idOrName, CancellationToken cancellationToken)
    {
        var details = ToDetails(await _store.GetAsync(idOrName, cancellationToken));
        return details with { NetworkSettings = await _networks.SettingsAsync(details.Id, details.Config.ExposedPorts, cancellationToken) };
    }

    /// <summary>
    /// docker ps: running containers (all with <see cref="ContainerListOptions.All"/>), newest first, filtered. Reads
    /// the store's in-memory rows, whose JSON columns are parsed once per commit rather than once per request.
    /// </summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListAsync(ContainerListOptions options, CancellationToken cancellationToken)
    {
        IEnumerable<ContainerSnapshot> selected = await _store.SnapshotsAsync(cancellationToken);
        var filters = options.Filters;
        if (!options.All && !filters.ContainsKey("status") && !filters.ContainsKey("exited"))
            selected = selected.Where(r => ContainerStatusNames.IsActive(r.Status));
        foreach (var (key, values) in filters)
        {
            if (values.Count == 0)
                continue;
            selected = key switch
            {
                "status" => selected.Where(r => values.Any(v => CheckStatusFilter(v) == ContainerStatusNames.ToDocker(r.Status))).ToList(),
                "name" => selected.Where(r => values.Any(v => Regex.IsMatch("/" + r.Record.Name, v))).ToList(),
                "id" => selected.Where(r => values.Any(v => r.Record.Id.StartsWith(v, StringComparison.Ordinal))).ToList(),
                "label" => selected.Where(r => values.All(v => HasLabel(r.Config.Labels, v))).ToList(),
                "ancestor" => await FilterByAncestorAsync(selected, values, cancellationToken),
                "exited" => selected.Where(r => r.Status == ContainerStatus.Exited && values.Any(v => v == r.Record.ExitCode.ToString())).ToList(),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
        }
        if (options.Limit is > 0 and var limit)
            selected = selected.Take(limit);
        var rows = selected.ToList();
        if (rows.Count == 0)
            return [];
        var networks = await _networks.SummariesAsync(cancellationToken);
        var now = DateTime.UtcNow;
        return rows.Select(r => networks.TryGetValue(r.Record.Id, out var network)
            ? ToSummary(r, now) with { Ports = network.Ports, Networks = network.Networks }
            : ToSummary(r, now)).ToList();
    }

    private static string CheckStatusFilter(string value) =>
        value is "created" or "restarting" or "running" or "removing" or "paused" or "exited" or "dead"
            ? value
            : throw new InvalidArgumentException($"invalid filter 'status={value}'");

    private async Task<List<ContainerSnapshot>> FilterByAncestorAsync(IEnumerable<ContainerSnapshot> records, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            try
            {
                ids.Add(await _images.ResolveIdAsync(value, cancellationToken));
            }
            catch (NotFoundException)
            {
                // An image that does not exist (any more) is no one's ancestor, except by the name the container was created with.
            }
        }
        return records.Where(r => ids.Contains(r.Record.ImageId) || values.Contains(r.Record.ImageReference)).ToList();
    }

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var equals = filter.IndexOf('=');
        return equals < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..equals], out var value) && value == filter[(equals + 1)..];
    }

    private ContainerDetails ToDetails(ContainerRecord record)
    {
        var config = ContainerStore.Config(record);
        var host = ContainerStore.HostConfig(record);
        var status = ContainerStore.Status(record);
        var command = ContainerConfigMerge.CommandLine(config);
        var directory = _paths.Directory(record.Id);
        return new ContainerDetails
        {
            Id = record.Id,
            Name = "/" + record.Name,
            Created = DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc),
            Path = command.Count > 0 ? command[0] : "",
            Args = command.Skip(1).ToList(),
            State = new ContainerStateDetails
            {
                Status = ContainerStatusNames.ToDocker(status),
                Running = status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Stopping or ContainerStatus.Restarting,
                Paused = status == ContainerStatus.Paused,
                Restarting = status == ContainerStatus.Restarting,
                Stopping = status == ContainerStatus.Stopping,
                OOMKilled = record.OomKilled,
                Dead = status == ContainerStatus.Dead,
                Pid = record.Pid,
                ExitCode = record.ExitCode,
                Error = record.Error,
                StartedAt = record.StartedUtc is { } started ? DateTime.SpecifyKind(started, DateTimeKind.Utc) : ZeroTime,
                FinishedAt = record.FinishedUtc is { } finished ? DateTime.SpecifyKind(finished, DateTimeKind.Utc) : ZeroTime,
                Health = HealthOf(record),
            },
            Image = record.ImageId,
            ResolvConfPath = Path.Combine(directory, "resolv.conf"),
            HostnamePath = Path.Combine(directory, "hostname"),
            HostsPath = Path.Combine(directory, "hosts"),
            LogPath = host.LogConfig.KeepsNoLog ? "" : _paths.LogPath(record.Id),
            RestartCount = record.RestartCount,
            Runtime = record.Runtime,
            Config = config,
            // A container from before the modes were stored got the daemon's defaults, which are what it runs with.
            HostConfig = WithDefaultModes(host),
            Mounts = MountPoint.ParseList(record.MountsJson),
        };
    }

    private ContainerSummary ToSummary(ContainerSnapshot row, DateTime now)
    {
        var record = row.Record;
        var health = (row.StoredHealth ?? HealthOf(record.Id))?.Status;
        return new ContainerSummary
        {
            Id = record.Id,
            Names = ["/" + record.Name],
            Image = record.ImageReference,
            ImageId = record.ImageId,
            Command = SummaryCommand(ContainerConfigMerge.CommandLine(row.Config)),
            Created = new DateTimeOffset(DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc)).ToUnixTimeSeconds(),
            State = ContainerStatusNames.ToDocker(row.Status),
            Status = HumanStatus(record, row.Status, now, health),
            Health = health is HealthStatuses.None ? null : health,
            Labels = row.Config.Labels,
            Mounts = row.Mounts,
            NetworkMode = row.HostConfig.NetworkMode is { Length: > 0 } mode ? mode : "bridge",
        };
    }

    /// <summary>docker ps's Command: the path and its arguments, those with a space in single quotes (as Moby writes it).</summary>
    private static string SummaryCommand(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select((part, index) => index > 0 && part.Contains(' ') ? $"'{part}'" : part));

    /// <summary>
    /// docker ps's Status column: "Up 5 minutes", "Up 3 seconds (healthy)", "Up 1 second (health: starting)",
    /// "Up 2 hours (Paused)", "Exited (0) 5 minutes ago", "Created".
    /// </summary>
    internal static string HumanStatus(ContainerRecord record, ContainerStatus status, DateTime now, string? health = null) => status switch
    {
        ContainerStatus.Running or ContainerStatus.Stopping when health is { } h && h != HealthStatuses.None =>
            $"Up {HumanDuration.Format(now - (record.StartedUtc ?? now))} ({(h == HealthStatuses.Starting ? "health: starting" : h)})",
        ContainerStatus.Running or ContainerStatus.Stopping => $"Up {HumanDuration.Format(now - (record.StartedUtc ?? now))}",
        ContainerStatus.Paused => $"Up {HumanDuration.Format(now - (record.StartedUtc ?? now))} (Paused)",
        ContainerStatus.Restarting => $"Restarting ({record.ExitCode}) {HumanDuration.Format(now - (record.FinishedUtc ?? now))} ago",
        ContainerStatus.Exited when record.FinishedUtc is { } finished => $"Exited ({record.ExitCode}) {HumanDuration.Format(now - finished)} ago",
        ContainerStatus.Exited => "Created",
        ContainerStatus.Removing => "Removal In Progress",
        ContainerStatus.Dead => "Dead",
        _ => "Created",
    };
}
