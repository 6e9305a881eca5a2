namespace WebEngine.Engine.Events;

/// <summary>
/// An event in Docker's shape (<c>/events</c>): Type, Action, Actor {ID, Attributes}, scope, time, timeNano. The API
/// adds Docker's deprecated status/id/from fields from these when it serializes.
/// </summary>
public sealed record EngineEvent(long Sequence, string Type, string Action, EventActor Actor, string Scope, long TimeNano)
{
    /// <summary>Seconds since the Unix epoch.</summary>
    public long Time => TimeNano / 1_000_000_000;
}

/// <summary>What the event is about: the object's id and its attributes (name, image, exitCode, labels...).</summary>
public sealed record EventActor(string Id, IReadOnlyDictionary<string, string> Attributes);

/// <summary>The values of <see cref="EngineEvent.Type"/>.</summary>
public static class EventTypes
{
    public const string Container = "container";
    public const string Image = "image";
    public const string Volume = "volume";
    public const string Network = "network";
    public const string Daemon = "daemon";
}
