using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>A container's state changes: start, stop, restart, kill, pause, unpause, wait, resize.</summary>
public static class ContainerStateEndpoints
{
    public static IEndpointRouteBuilder MapDockerContainerState(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/{id}/start", StartAsync).WithTags("Containers").ProducesEmpty(StatusCodes.Status304NotModified).ProducesDockerErrors(400, 404, 409);
        app.MapPost("/containers/{id}/stop", StopAsync).WithTags("Containers").ProducesEmpty(StatusCodes.Status304NotModified).ProducesDockerErrors(400, 404);
        app.MapPost("/containers/{id}/restart", RestartAsync).WithTags("Containers").ProducesDockerErrors(400, 404);
        app.MapPost("/containers/{id}/kill", KillAsync).WithTags("Containers").ProducesDockerErrors(400, 404, 409);
        app.MapPost("/containers/{id}/pause", PauseAsync).WithTags("Containers").ProducesDockerErrors(404, 409);
        app.MapPost("/containers/{id}/unpause", UnpauseAsync).WithTags("Containers").ProducesDockerErrors(404, 409);
        app.MapPost("/containers/{id}/wait", WaitAsync).WithTags("Containers").Produces<ContainerWaitResponseJson>().ProducesDockerErrors(400, 404);
        app.MapPost("/containers/{id}/resize", ResizeAsync).WithTags("Containers").ProducesDockerErrors(400, 404, 409);
        return app;
    }

    private static async Task<IResult> StartAsync(string id, ContainerService containers, CancellationToken cancellationToken) =>
        await containers.StartAsync(id, cancellationToken) ? TypedResults.NoContent() : TypedResults.StatusCode(StatusCodes.Status304NotModified);

    private static async Task<IResult> StopAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var (timeout, signal) = StopOptions(request);
        return await containers.StopAsync(id, timeout, signal, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.StatusCode(StatusCodes.Status304NotModified);
    }

    private static async Task<IResult> RestartAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var (timeout, signal) = StopOptions(request);
        await containers.RestartAsync(id, timeout, signal, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> KillAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        await containers.KillAsync(id, SignalParameter(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> PauseAsync(string id, ContainerService containers, CancellationToken cancellationToken)
    {
        await containers.PauseAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UnpauseAsync(string id, ContainerService containers, CancellationToken cancellationToken)
    {
        await containers.UnpauseAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Registers the wait, sends the 200 headers at once (`docker run` starts the container only once it has them), and
    /// writes the status line when the condition holds. A client that hangs up just ends the wait.
    /// </summary>
    private static async Task WaitAsync(string id, HttpContext context, ContainerService containers)
    {
        var condition = context.Request.Query["condition"].ToString() switch
        {
            "" or "not-running" => WaitCondition.NotRunning,
            "next-exit" => WaitCondition.NextExit,
            "removed" => WaitCondition.Removed,
            var other => throw new InvalidArgumentException($"invalid condition: \"{other}\""),
        };
        var cancellationToken = context.RequestAborted;
        var waiter = await containers.BeginWaitAsync(id, condition, cancellationToken);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        ContainerWaitResponseJson answer;
        try
        {
            var exit = await waiter.Result.WaitAsync(cancellationToken);
            answer = new ContainerWaitResponseJson(exit.ExitCode, exit.Error is { Length: > 0 } error ? new WaitErrorJson(error) : null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is EngineException or OperationCanceledException)
        {
            answer = new ContainerWaitResponseJson(-1, new WaitErrorJson(e.Message));
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, answer, cancellationToken: cancellationToken);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }

    private static async Task<IResult> ResizeAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var height = TerminalSize(request, "h");
        var width = TerminalSize(request, "w");
        await containers.ResizeAsync(id, height, width, cancellationToken);
        return TypedResults.Ok();
    }

    private static (int? Timeout, string? Signal) StopOptions(HttpRequest request) => (DockerQuery.Int(request, "t"), SignalParameter(request));

    /// <summary>The signal as given (a name with or without SIG, or a number); the engine checks it.</summary>
    private static string? SignalParameter(HttpRequest request) => DockerQuery.String(request, "signal");

    private static ushort TerminalSize(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        return ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw new InvalidArgumentException($"invalid resize {(name == "h" ? "height" : "width")} \"{value}\": must be a number from 0 to 65535");
    }
}
