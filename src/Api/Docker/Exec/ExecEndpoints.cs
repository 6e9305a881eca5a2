using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.Docker.Streams;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Exec;

/// <summary>docker exec: create, start (hijacked, or detached), resize and inspect.</summary>
public static class ExecEndpoints
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static IEndpointRouteBuilder MapDockerExec(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/{id}/exec", CreateAsync).WithTags("Exec");
        app.MapPost("/exec/{id}/start", StartAsync).WithTags("Exec");
        app.MapPost("/exec/{id}/resize", ResizeAsync).WithTags("Exec");
        app.MapGet("/exec/{id}/json", InspectAsync).WithTags("Exec");
        return app;
    }

    private static async Task<Created<ExecCreateResponse>> CreateAsync(HttpContext context, string id, ContainerService containers)
    {
        var body = await ReadBodyAsync<ExecCreateRequest>(context.Request.Body, context.RequestAborted)
                   ?? throw new InvalidArgumentException("exec create needs a JSON body");
        DetachKeys.Parse(body.DetachKeys);
        var config = new ExecConfig
        {
            Cmd = body.Cmd ?? [],
            Env = body.Env ?? [],
            User = body.User,
            WorkingDir = body.WorkingDir,
            Tty = body.Tty,
            AttachStdin = body.AttachStdin,
            AttachStdout = body.AttachStdout,
            AttachStderr = body.AttachStderr,
            Privileged = body.Privileged,
            DetachKeys = body.DetachKeys ?? "",
            ConsoleSize = ConsoleSize(body.ConsoleSize),
        };
        var execId = await containers.ExecCreateAsync(id, config, context.RequestAborted);
        return TypedResults.Created((string?)null, new ExecCreateResponse(execId));
    }

    /// <summary>
    /// Moby's order: an unknown exec is a 404 before the handshake; once the stream is up, a failure to start is written
    /// into it (the client prints it), and the stream ends when the process does, its exit code already final.
    /// </summary>
    private static async Task StartAsync(HttpContext context, string id, ContainerService containers)
    {
        var movedBody = HijackedConnection.UpgradeBodyLength(context);
        ExecDetails exec;
        ExecStartRequest? body = null;
        try
        {
            exec = await containers.ExecInspectAsync(id, context.RequestAborted);
            if (!HijackedConnection.CanUpgrade(context))
                body = await ReadBodyAsync<ExecStartRequest>(context.Request.Body, context.RequestAborted) ?? new ExecStartRequest();
            if (body is { Detach: true })
            {
                await containers.ExecStartAsync(id, detach: true, context.RequestAborted);
                return;
            }
        }
        catch (Exception e) when (movedBody is not null && e is EngineException or JsonException)
        {
            // The body still waits on the connection, in front of what would have been the stream: close it after the answer.
            context.Response.Headers.Connection = "close";
            await DockerErrors.WriteAsync(context, DockerErrors.StatusCodeFor(e), e.Message);
            return;
        }

        var tty = exec.Config.Tty;
        var client = await HijackedConnection.AcceptAsync(context, HijackedConnection.MediaType(context, tty));
        var writer = new StreamFrameWriter(client.Output, multiplexed: !tty);
        try
        {
            body ??= movedBody is { } length
                ? await ReadBodyAsync<ExecStartRequest>(new MemoryStream(await client.ReadUpgradeBodyAsync(length, context.RequestAborted)), context.RequestAborted)
                : null;
            body ??= new ExecStartRequest();
            await using var process = await containers.ExecStartAsync(id, body.Detach, context.RequestAborted);
            if (process is null)
                return;
            if (process.InitialStatus.Error is { Length: > 0 } error)
                await writer.WriteAsync(DockerStreamKind.Stdout, Encoding.UTF8.GetBytes(error + "\r\n"), context.RequestAborted);
            if (tty && ConsoleSize(body.ConsoleSize) is var (height, width) && (height, width) != exec.Config.ConsoleSize)
                await containers.ExecResizeAsync(id, height, width, context.RequestAborted);
            var input = new AttachInput(exec.Config.AttachStdin && client.Upgraded, CloseStdinAtEnd: !tty, DetachKeys.Parse(exec.Config.DetachKeys));
            await AttachSession.RunAsync(client, writer, process, input, context.RequestAborted);
        }
        catch (Exception e) when (e is EngineException or JsonException)
        {
            await writer.WriteAsync(tty ? DockerStreamKind.Stdout : DockerStreamKind.SystemError, Encoding.UTF8.GetBytes(e.Message + "\r\n"), context.RequestAborted);
        }
    }

    private static async Task<Ok> ResizeAsync(HttpContext context, string id, ContainerService containers)
    {
        var height = DockerQuery.Dimension(context.Request, "h");
        var width = DockerQuery.Dimension(context.Request, "w");
        await containers.ExecResizeAsync(id, height, width, context.RequestAborted);
        return TypedResults.Ok();
    }

    private static async Task<Ok<ExecInspectResponse>> InspectAsync(string id, ContainerService containers, CancellationToken cancellationToken)
    {
        var exec = await containers.ExecInspectAsync(id, cancellationToken);
        var config = exec.Config;
        return TypedResults.Ok(new ExecInspectResponse(
            CanRemove: false,
            config.DetachKeys,
            exec.Id,
            exec.Running,
            exec.ExitCode,
            new ExecProcessConfig(config.Privileged, config.User ?? "", config.Tty, config.Cmd[0], [.. config.Cmd.Skip(1)]),
            exec.OpenStdin,
            exec.OpenStderr,
            exec.OpenStdout,
            exec.ContainerId,
            exec.Pid));
    }

    /// <summary>An empty body reads as null (exec start allows it); malformed JSON or wrong types are a 400.</summary>
    private static async Task<T?> ReadBodyAsync<T>(Stream body, CancellationToken cancellationToken) where T : class
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
            return null;
        buffer.Position = 0;
        return await JsonSerializer.DeserializeAsync<T>(buffer, Json, cancellationToken);
    }

    private static (ushort Height, ushort Width)? ConsoleSize(int[]? size) => size switch
    {
        null or [0, 0] => null,
        [>= 0 and <= ushort.MaxValue, >= 0 and <= ushort.MaxValue] => ((ushort)size[0], (ushort)size[1]),
        _ => throw new InvalidArgumentException("ConsoleSize must be [rows, columns], each from 0 to 65535"),
    };
}
