using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.Docker.Streams;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;

namespace WebEngine.Api.Docker.Containers;

/// <summary>
/// GET /containers/{id}/logs: the json-file log as Docker streams it: 8-byte multiplexed frames (raw bytes for a TTY),
/// one frame a record, optional RFC3339Nano timestamps, tail/since/until, and follow until the container stops.
/// </summary>
public static class ContainerLogsEndpoints
{
    /// <summary>Write to the socket at least this often while history is sent (and always when the reader would wait).</summary>
    private const int FlushThreshold = 64 * 1024;

    private static readonly ApiVersion MultiplexedMediaTypeSince = new(1, 42);

    public static IEndpointRouteBuilder MapDockerContainerLogs(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/{id}/logs", LogsAsync).WithTags("Containers")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Stream), [DockerEndpointMetadata.MultiplexedStream, DockerEndpointMetadata.RawStream]))
            .ProducesDockerErrors(400, 404);
        return app;
    }

    private static async Task LogsAsync(string id, HttpContext context, ContainerService containers)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var options = new LogReadOptions
        {
            Stdout = DockerQuery.Bool(request, "stdout"),
            Stderr = DockerQuery.Bool(request, "stderr"),
            Follow = DockerQuery.Bool(request, "follow"),
            Since = DockerQuery.UnixTime(request, "since") is { } since && since > DateTimeOffset.UnixEpoch ? since : null,
            Until = DockerQuery.UnixTime(request, "until") is { } until && until > DateTimeOffset.UnixEpoch ? until : null,
            Tail = Tail(request.Query["tail"].ToString()),
        };
        var timestamps = DockerQuery.Bool(request, "timestamps");
        var details = await containers.InspectAsync(id, cancellationToken);
        var tty = details.Config.Tty;
        var entries = await containers.LogsAsync(details.Id, options, cancellationToken);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = tty || context.GetApiVersion() < MultiplexedMediaTypeSince ? DockerEndpointMetadata.RawStream : DockerEndpointMetadata.MultiplexedStream;
        await context.Response.StartAsync(cancellationToken);
        var writer = context.Response.BodyWriter;
        try
        {
            await using var enumerator = entries.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                var next = enumerator.MoveNextAsync();
                if (!next.IsCompleted || writer.UnflushedBytes >= FlushThreshold)
                    await writer.FlushAsync(cancellationToken);
                if (!await next)
                    break;
                var entry = enumerator.Current;
                var text = timestamps ? $"{Timestamp(entry.UnixNanoseconds)} {entry.Text}" : entry.Text;
                StreamFrameWriter.Write(writer, tty ? null : entry.Stream == LogStream.Stderr ? DockerStreamKind.Stderr : DockerStreamKind.Stdout, text);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is IOException or EngineException or UnauthorizedAccessException)
        {
            StreamFrameWriter.Write(writer, tty ? null : DockerStreamKind.SystemError, $"Error grabbing logs: {e.Message}\n");
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Moby reads anything but a number as "all".</summary>
    private static int? Tail(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var lines) ? lines : null;

    /// <summary>Docker's RFC3339NanoFixed: always nine fraction digits, in UTC.</summary>
    public static string Timestamp(long unixNanoseconds)
    {
        var seconds = Math.DivRem(unixNanoseconds, 1_000_000_000, out var nanoseconds);
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return $"{time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)}.{nanoseconds:000000000}Z";
    }
}
