namespace WebEngine.Data.Events;

/// <summary>One engine event in Docker's shape (type, action, actor and its attributes, time).</summary>
public sealed class EventRecord
{
    /// <summary>Increasing: the order events happened in.</summary>
    public long Id { get; set; }

    /// <summary>container, image, volume, network, daemon.</summary>
    public required string Type { get; set; }

    /// <summary>create, start, die, destroy, exec_start: sh -c ..., ...</summary>
    public required string Action { get; set; }

    public required string ActorId { get; set; }

    /// <summary>The actor's attributes (name, image, exitCode, labels...) as a JSON object.</summary>
    public string AttributesJson { get; set; } = "{}";

    public string Scope { get; set; } = "local";

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public long TimeNano { get; set; }
}
