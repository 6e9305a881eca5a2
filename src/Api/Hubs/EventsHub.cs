using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using WebEngine.Api.Auth;
using WebEngine.Engine.Events;

namespace WebEngine.Api.Hubs;

/// <summary>An event exactly as GET /events writes it (Docker's names, including the deprecated status/id/from).</summary>
public sealed record DockerEventMessage(
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Action")] string Action,
    [property: JsonPropertyName("Actor")] DockerEventActor Actor,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("timeNano")] long TimeNano)
{
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; init; }

    public static DockerEventMessage Of(EngineEvent e)
    {
        var message = new DockerEventMessage(e.Type, e.Action, new DockerEventActor(e.Actor.Id, e.Actor.Attributes), e.Scope, e.Time, e.TimeNano);
        // Moby still fills the pre-1.22 fields for container events.
        return e.Type == EventTypes.Container
            ? message with { Status = e.Action, Id = e.Actor.Id, From = e.Actor.Attributes.GetValueOrDefault("image") }
            : message;
    }
}

public sealed record DockerEventActor(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("Attributes")] IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// /hubs/events: Docker's events, filtered as GET /events filters them (type, event, container, image, label, volume,
/// network), live; with <c>since</c> (Unix seconds) the stored ones from then first.
/// </summary>
[Authorize(Roles = Roles.Viewer)]
public sealed class EventsHub(EventLog events) : Hub
{
    public IAsyncEnumerable<DockerEventMessage> Stream(Dictionary<string, List<string>>? filters, long? since, CancellationToken cancellationToken) =>
        HubStreams.WithClientErrors(ReadAsync(filters, since, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<DockerEventMessage> ReadAsync(Dictionary<string, List<string>>? filters, long? since,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = new EventFilter(filters?.ToDictionary(f => f.Key, f => (IReadOnlyList<string>)f.Value));
        await foreach (var e in events.SubscribeAsync(filter, since * 1_000_000_000, null, cancellationToken))
            yield return DockerEventMessage.Of(e);
    }
}
