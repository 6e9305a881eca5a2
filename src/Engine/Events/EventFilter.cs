namespace WebEngine.Engine.Events;

/// <summary>
/// Docker's event filters: within a key any value may match, and every key given must match (type, event, container,
/// image, label, volume, network, scope). "container" matches the actor's id, id prefix or name; "label" is key or
/// key=value against the actor's attributes.
/// </summary>
public sealed class EventFilter
{
    private static readonly HashSet<string> KnownKeys = ["type", "event", "container", "image", "label", "volume", "network", "scope", "daemon"];

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _filters;

    public EventFilter(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters = null)
    {
        _filters = filters ?? new Dictionary<string, IReadOnlyList<string>>();
        foreach (var key in _filters.Keys)
        {
            if (!KnownKeys.Contains(key))
                throw new InvalidArgumentException($"invalid filter '{key}'");
        }
    }

    public static EventFilter All { get; } = new();

    public bool Matches(EngineEvent e) =>
        Any("type", v => v == e.Type) &&
        Any("event", v => v == e.Action || e.Action.StartsWith(v + ":", StringComparison.Ordinal)) &&
        Any("scope", v => v == e.Scope) &&
        Any("container", v => e.Type == EventTypes.Container && MatchesActor(e, v)) &&
        Any("volume", v => e.Type == EventTypes.Volume && MatchesActor(e, v)) &&
        Any("network", v => e.Type == EventTypes.Network && MatchesActor(e, v)) &&
        Any("daemon", v => e.Type == EventTypes.Daemon && MatchesActor(e, v)) &&
        Any("image", v => MatchesImage(e, v)) &&
        Every("label", v => MatchesLabel(e, v));

    private bool Any(string key, Func<string, bool> predicate) =>
        !_filters.TryGetValue(key, out var values) || values.Count == 0 || values.Any(predicate);

    private bool Every(string key, Func<string, bool> predicate) =>
        !_filters.TryGetValue(key, out var values) || values.All(predicate);

    private static bool MatchesActor(EngineEvent e, string value) =>
        e.Actor.Id == value || (value.Length >= 1 && e.Actor.Id.StartsWith(value, StringComparison.Ordinal)) ||
        (e.Actor.Attributes.TryGetValue("name", out var name) && name == value.TrimStart('/'));

    private static bool MatchesImage(EngineEvent e, string value)
    {
        if (e.Type == EventTypes.Image)
            return MatchesActor(e, value);
        if (!e.Actor.Attributes.TryGetValue("image", out var image))
            return false;
        return image == value || image == value + ":latest" || image.Split('@')[0] == value;
    }

    private static bool MatchesLabel(EngineEvent e, string value)
    {
        var equals = value.IndexOf('=');
        return equals < 0
            ? e.Actor.Attributes.ContainsKey(value)
            : e.Actor.Attributes.TryGetValue(value[..equals], out var actual) && actual == value[(equals + 1)..];
    }
}
