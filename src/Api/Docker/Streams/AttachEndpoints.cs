using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;

namespace WebEngine.Api.Docker.Streams;

/// <summary>
/// `POST /containers/{id}/attach`: the container's output (and stdin) over a hijacked connection;
/// `GET /containers/{id}/attach/ws`: the same over a WebSocket (raw output, never multiplexed, as Moby).
/// </summary>
public static class AttachEndpoints
{
    public static IEndpointRouteBuilder MapDockerAttach(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/{id}/attach", AttachAsync).WithTags("Container");
        app.MapGet("/containers/{id}/attach/ws", AttachWebSocketAsync).WithTags("Container");
        return app;
    }

    private static Task AttachAsync(HttpContext context, string id, ContainerService containers) =>
        RunAttachAsync(context, id, containers, HijackedConnection.CanUpgrade(context),
            async tty => (await HijackedConnection.AcceptAsync(context, HijackedConnection.MediaType(context, tty)), Multiplexed: !tty));

    /// <summary>Output goes out in binary messages (text messages before API 1.28, as Moby); each message from the client is stdin.</summary>
    private static async Task AttachWebSocketAsync(HttpContext context, string id, ContainerService containers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
            throw new InvalidArgumentException("attach/ws needs a WebSocket upgrade request (Connection: Upgrade, Upgrade: websocket)");
        WebSocket? socket = null;
        await RunAttachAsync(context, id, containers, canSendInput: true, async _ =>
        {
            socket = await context.WebSockets.AcceptWebSocketAsync();
            var messageType = context.GetApiVersion() >= new ApiVersion(1, 28) ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
            return (HijackedConnection.FromWebSocket(WebSocketStream.Create(socket, messageType, ownsWebSocket: false)), Multiplexed: false);
        });
        if (socket is { State: WebSocketState.Open or WebSocketState.CloseReceived })
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The client is gone already.
            }
        }
        socket?.Dispose();
    }

    /// <summary>
    /// The attach is registered before the handshake is sent, so a client that starts the container once it has the 101
    /// (as `docker run` does) sees its output from the first byte.
    /// </summary>
    private static async Task RunAttachAsync(HttpContext context, string id, ContainerService containers, bool canSendInput,
        Func<bool, Task<(HijackedConnection Client, bool Multiplexed)>> acceptAsync)
    {
        var request = context.Request;
        var (stream, logs) = (DockerQuery.Bool(request, "stream"), DockerQuery.Bool(request, "logs"));
        var (stdin, stdout, stderr) = (DockerQuery.Bool(request, "stdin"), DockerQuery.Bool(request, "stdout"), DockerQuery.Bool(request, "stderr"));
        var detachKeys = DetachKeys.Parse(request.Query["detachKeys"]);
        var container = await containers.InspectAsync(id, context.RequestAborted);
        if (container.State.Paused)
            throw new ConflictException($"container {id} is paused, unpause the container before attach.");
        var config = container.Config;
        var useStdin = stdin && config.OpenStdin && canSendInput;
        var input = new AttachInput(useStdin, CloseStdinAtEnd: config.StdinOnce && !config.Tty, detachKeys);

        Task<ShimAttachStream>? live = null;
        Task? ended = null;
        if (stream)
        {
            var nextExit = await containers.BeginWaitAsync(container.Id, WaitCondition.NextExit, context.RequestAborted);
            var removed = await containers.BeginWaitAsync(container.Id, WaitCondition.Removed, context.RequestAborted);
            ended = Task.WhenAny(nextExit.Result, removed.Result);
            live = await containers.AttachAsync(container.Id, new ShimAttachOptions(useStdin, stdout, stderr, input.CloseStdinAtEnd), context.RequestAborted);
        }
        HijackedConnection client;
        bool multiplexed;
        try
        {
            (client, multiplexed) = await acceptAsync(config.Tty);
        }
        catch
        {
            Abandon(live);
            throw;
        }
        var writer = new StreamFrameWriter(client.Output, multiplexed);
        try
        {
            if (logs)
                await WriteLogsAsync(containers, container.Id, writer, stdout, stderr, context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Abandon(live);
            return;
        }
        if (live is null || ended is null)
            return;
        // A container that never gets to run (its start failed, or it was removed) ends the wait for its output.
        if (await Task.WhenAny(live, ended) != live || !live.IsCompletedSuccessfully)
        {
            Abandon(live);
            return;
        }
        await using var process = live.Result;
        await AttachSession.RunAsync(client, writer, process, input, context.RequestAborted);
    }

    private static async Task WriteLogsAsync(ContainerService containers, string id, StreamFrameWriter writer, bool stdout, bool stderr,
        CancellationToken cancellationToken)
    {
        if (!stdout && !stderr)
            return;
        var entries = await containers.LogsAsync(id, new LogReadOptions { Stdout = stdout, Stderr = stderr }, cancellationToken);
        await foreach (var entry in entries)
        {
            var kind = entry.Stream == LogStream.Stderr ? DockerStreamKind.Stderr : DockerStreamKind.Stdout;
            await writer.WriteAsync(kind, Encoding.UTF8.GetBytes(entry.Text), cancellationToken);
        }
    }

    /// <summary>An attach that will not be used still gets connected when the container starts: close it then.</summary>
    private static void Abandon(Task<ShimAttachStream>? live) =>
        live?.ContinueWith(t => t.Result.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
}
