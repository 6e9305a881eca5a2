using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebEngine.Engine.Build;

namespace WebEngine.Api.Docker;

/// <summary>
/// Docker's streamed JSON (pull, push, load, import, events): one object a line, flushed at once, `Content-Type:
/// application/json`. The status line and headers go out with the first object, so an error before it is still an
/// ordinary Docker error response.
/// </summary>
public sealed class JsonLines(HttpContext context)
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly JsonSerializerOptions _options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    public bool Started => context.Response.HasStarted;

    /// <summary>Sends the status line and headers now (events: the CLI waits for them before it reads).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
            return;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    public async Task WriteAsync<T>(T value, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        await JsonSerializer.SerializeAsync(context.Response.Body, value, _options, cancellationToken);
        await context.Response.Body.WriteAsync(NewLine, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> and streams what it reports, one line each, in the order reported (reports
    /// may come from several threads). A failure before the first line is thrown (a 4xx/5xx response); after it, the
    /// failure is the last line, `{"errorDetail":{"message":…},"error":…}`, which the CLI prints and exits 1 on.
    /// </summary>
    public async Task StreamAsync(Func<IProgress<JsonMessage>, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<JsonMessage>(new UnboundedChannelOptions { SingleReader = true });
        var work = Task.Run(async () =>
        {
            try
            {
                await operation(new ChannelProgress(channel.Writer), cancellationToken);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, cancellationToken);
        await foreach (var message in channel.Reader.ReadAllAsync(cancellationToken))
            await WriteAsync(message, cancellationToken);
        try
        {
            await work;
        }
        catch (Exception e) when (Started && e is not OperationCanceledException)
        {
            await WriteAsync(JsonMessage.Failure(e.Message, (e as BuildCommandException)?.ExitCode), cancellationToken);
        }
    }

    private sealed class ChannelProgress(ChannelWriter<JsonMessage> writer) : IProgress<JsonMessage>
    {
        public void Report(JsonMessage value) => writer.TryWrite(value);
    }
}

/// <summary>One line of a Docker JSON progress stream (Moby's jsonmessage.JSONMessage).</summary>
public sealed record JsonMessage
{
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("progressDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProgressDetail? ProgressDetail { get; init; }

    [JsonPropertyName("progress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Progress { get; init; }

    [JsonPropertyName("stream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stream { get; init; }

    [JsonPropertyName("aux"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Aux { get; init; }

    [JsonPropertyName("errorDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ErrorDetail? ErrorDetail { get; init; }

    /// <summary>Deprecated in Moby but still read by older clients.</summary>
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <param name="code">The exit code the client should exit with (a failed build step's); null for none.</param>
    public static JsonMessage Failure(string message, int? code = null) => new() { ErrorDetail = new ErrorDetail(message, code), Error = message };
}

public sealed record ProgressDetail(
    [property: JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Current = 0,
    [property: JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long Total = 0);

public sealed record ErrorDetail(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Code = null);
