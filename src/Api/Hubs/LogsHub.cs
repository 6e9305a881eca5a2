using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using WebEngine.Api.Auth;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;

namespace WebEngine.Api.Hubs;

/// <summary>What to read of a container's log, as docker logs' options.</summary>
public sealed record LogsQuery
{
    /// <summary>Only the last N entries; null for all.</summary>
    public int? Tail { get; init; }

    /// <summary>Only entries written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Keep streaming new entries until the container stops or the client cancels.</summary>
    public bool Follow { get; init; }

    public bool Stdout { get; init; } = true;
    public bool Stderr { get; init; } = true;
}

/// <summary>One log entry: the stream ("stdout" or "stderr"), when it was written, and the text without its line break.</summary>
/// <param name="Partial">The line goes on in the next entry (lines over 16 KiB are logged in pieces).</param>
public sealed record LogMessage(string Stream, DateTimeOffset Time, string Text, bool Partial);

/// <summary>/hubs/logs: a container's log, streamed (`connection.stream("Stream", container, {tail, since, follow})`).</summary>
[Authorize(Roles = Roles.Viewer)]
public sealed class LogsHub(ContainerService containers) : Hub
{
    /// <summary>How often a follow looks for new lines: the dashboard's logs tab reads through here, and a line should show within a frame or two.</summary>
    private static readonly TimeSpan FollowPollInterval = TimeSpan.FromMilliseconds(25);

    public IAsyncEnumerable<LogMessage> Stream(string container, LogsQuery? query, CancellationToken cancellationToken) =>
        HubStreams.WithClientErrors(ReadAsync(container, query ?? new LogsQuery(), cancellationToken), cancellationToken);

    private async IAsyncEnumerable<LogMessage> ReadAsync(string container, LogsQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.Tail is < 0)
            throw new HubException("tail must be 0 or more");
        var options = new LogReadOptions
        {
            Tail = query.Tail, Since = query.Since, Follow = query.Follow, Stdout = query.Stdout, Stderr = query.Stderr,
            PollInterval = FollowPollInterval,
        };
        var entries = await containers.LogsAsync(container, options, cancellationToken);
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            var text = entry.Partial ? entry.Text : entry.Text[..^1];
            yield return new LogMessage(entry.Stream == LogStream.Stderr ? "stderr" : "stdout", entry.Time, text, entry.Partial);
        }
    }
}
