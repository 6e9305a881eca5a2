using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using WebEngine.Engine.Events;

namespace WebEngine.Api.Docker;

/// <summary>
/// `GET /events` (docker events): the stored events from `since`, then live ones until `until` (forever without it),
/// filtered, one JSON object a line. The headers go out at once: the CLI waits for them before it reads.
/// </summary>
public static class EventEndpoint
{
    public static async Task GetAsync(HttpContext context, EventLog events)
    {
        var request = context.Request;
        var filter = new EventFilter(request.Filters());
        var until = request.UnixNanoseconds("until");
        // As Moby: with only `until`, the stored events before it are listed too (docker events --until 1s).
        var since = request.UnixNanoseconds("since") ?? (until is null ? null : 0);
        var lines = new JsonLines(context);
        var cancellationToken = context.RequestAborted;
        try
        {
            await lines.StartAsync(cancellationToken);
            await foreach (var e in events.SubscribeAsync(filter, since, until, cancellationToken))
                await lines.WriteAsync(EventJson.Of(e), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the normal end of a live stream.
        }
    }
}

/// <summary>
/// An event as Docker 28 sends it: Type, Action, Actor, scope, time, timeNano, plus the deprecated status, id and
/// from that container and image events still carry (older clients switch on status).
/// </summary>
public sealed record EventJson(
    [property: JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status,
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonPropertyName("from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From,
    string Type,
    string Action,
    EventActorJson Actor,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("timeNano")] long TimeNano)
{
    public static EventJson Of(EngineEvent e)
    {
        var legacy = e.Type is EventTypes.Container or EventTypes.Image;
        return new EventJson(
            legacy ? e.Action : null,
            legacy ? e.Actor.Id : null,
            e.Type == EventTypes.Container ? e.Actor.Attributes.GetValueOrDefault("image") : null,
            e.Type, e.Action, new EventActorJson(e.Actor.Id, e.Actor.Attributes), e.Scope, e.Time, e.TimeNano);
    }
}

public sealed record EventActorJson(string ID, IReadOnlyDictionary<string, string> Attributes);
