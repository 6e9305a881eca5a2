using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>
/// docker ps filters: the engine applies id, name, label, status, ancestor and exited; the rest (before, since, volume,
/// network, health) are applied here to what it returns. Unknown keys are a 400, as in Moby.
/// </summary>
public sealed class ContainerListQuery
{
    private static readonly HashSet<string> EngineKeys = ["id", "name", "label", "status", "ancestor", "exited"];
    private static readonly HashSet<string> LocalKeys = ["before", "since", "volume", "network", "health", "is-task"];
    private static readonly HashSet<string> HealthValues = ["starting", "healthy", "unhealthy", "none"];

    private readonly Dictionary<string, IReadOnlyList<string>> _local;

    private ContainerListQuery(Dictionary<string, IReadOnlyList<string>> engine, Dictionary<string, IReadOnlyList<string>> local)
    {
        EngineFilters = engine;
        _local = local;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> EngineFilters { get; }

    public static ContainerListQuery Parse(IReadOnlyDictionary<string, IReadOnlyList<string>> filters)
    {
        var engine = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var local = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, values) in filters)
        {
            if (EngineKeys.Contains(key))
                engine[key] = values;
            else if (LocalKeys.Contains(key))
                local[key] = values;
            else
                throw new InvalidArgumentException($"invalid filter '{key}'");
        }
        foreach (var value in local.GetValueOrDefault("health") ?? [])
        {
            if (!HealthValues.Contains(value))
                throw new InvalidArgumentException($"invalid filter 'health={value}'. Expected one of starting, healthy, unhealthy, none");
        }
        foreach (var value in engine.GetValueOrDefault("exited") ?? [])
        {
            if (!int.TryParse(value, out _))
                throw new InvalidArgumentException($"invalid filter 'exited={value}'");
        }
        return new ContainerListQuery(engine, local);
    }

    public async Task<List<ContainerSummary>> ApplyAsync(IReadOnlyList<ContainerSummary> summaries, ContainerService containers, CancellationToken cancellationToken)
    {
        IEnumerable<ContainerSummary> selected = summaries;
        if (_local.Count == 0)
            return selected.ToList();
        // The engine lists newest first; before/since are positions in that order, as Moby compares creation order.
        var order = (await containers.ListAsync(new ContainerListOptions { All = true }, cancellationToken))
            .Select((summary, index) => (summary.Id, index)).ToDictionary(p => p.Id, p => p.index, StringComparer.Ordinal);
        foreach (var (key, values) in _local)
        {
            if (values.Count == 0)
                continue;
            switch (key)
            {
                case "before":
                    var before = await PositionAsync(containers, order, values[^1], cancellationToken);
                    selected = selected.Where(s => order.GetValueOrDefault(s.Id, -1) > before);
                    break;
                case "since":
                    var since = await PositionAsync(containers, order, values[^1], cancellationToken);
                    selected = selected.Where(s => order.GetValueOrDefault(s.Id, int.MaxValue) < since);
                    break;
                case "volume":
                    selected = selected.Where(s => s.Mounts.Any(m => values.Contains(m.Name) || values.Contains(m.Source) || values.Contains(m.Destination)));
                    break;
                case "network":
                    selected = selected.Where(s => s.Networks.Any(n => values.Any(v => v == n.Key || (v.Length > 0 && n.Value.NetworkID.StartsWith(v, StringComparison.Ordinal)))));
                    break;
                case "health":
                    selected = selected.Where(s => values.Contains(containers.HealthStatus(s.Id)));
                    break;
                case "is-task":
                    // No swarm: no container is a task.
                    selected = selected.Where(_ => values.Any(v => !ContainerQueryValues.IsTrue(v)));
                    break;
            }
        }
        return selected.ToList();
    }

    private static async Task<int> PositionAsync(ContainerService containers, Dictionary<string, int> order, string idOrName, CancellationToken cancellationToken)
    {
        var details = await containers.InspectAsync(idOrName, cancellationToken);
        return order.TryGetValue(details.Id, out var index) ? index : throw new NotFoundException($"No such container: {idOrName}");
    }
}

/// <summary>Moby's reading of a boolean filter value.</summary>
internal static class ContainerQueryValues
{
    public static bool IsTrue(string value) => value.ToLowerInvariant() is "1" or "true";
}
