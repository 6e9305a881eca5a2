using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>GET /containers/{id}/stats (one sample, or one a second while streaming) and GET /containers/{id}/top.</summary>
public static class ContainerStatsEndpoints
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapDockerContainerStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/{id}/stats", StatsAsync).WithTags("Containers").Produces<StatsJson>().ProducesDockerErrors(400, 404);
        app.MapGet("/containers/{id}/top", TopAsync).WithTags("Containers").ProducesDockerErrors(400, 404, 409);
        return app;
    }

    /// <summary>
    /// stream=1 (the default): a sample a second until the container stops or the client goes. stream=0: one sample
    /// taken a second after a first one so that precpu_stats is filled, unless one-shot=1 asks for it at once.
    /// </summary>
    private static async Task StatsAsync(string id, HttpContext context, ContainerService containers)
    {
        var cancellationToken = context.RequestAborted;
        var stream = DockerQuery.Bool(context.Request, "stream", defaultValue: true);
        var oneShot = DockerQuery.Bool(context.Request, "one-shot");
        if (oneShot && stream)
            throw new InvalidArgumentException("cannot have stream=true and one-shot=true");
        var details = await containers.InspectAsync(id, cancellationToken);
        var running = details.State.Running && !details.State.Restarting;
        ContainerStats? previous = null;
        if (running && !oneShot)
            previous = await SampleAsync(containers, details.Id, cancellationToken);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(cancellationToken);
        try
        {
            if (!running || previous is null && !oneShot)
            {
                await WriteAsync(context, StatsJson.Empty(details.Name, details.Id), cancellationToken);
                return;
            }
            if (!stream)
                await Task.Delay(oneShot ? TimeSpan.Zero : Interval, cancellationToken);
            do
            {
                var sample = await SampleAsync(containers, details.Id, cancellationToken);
                if (sample is null)
                    return;
                await WriteAsync(context, StatsJson.From(details.Name, details.Id, sample, previous), cancellationToken);
                previous = sample;
                if (stream)
                    await Task.Delay(Interval, cancellationToken);
            }
            while (stream);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A sample, or null once the container has stopped (or is gone).</summary>
    private static async Task<ContainerStats?> SampleAsync(ContainerService containers, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await containers.StatsAsync(id, cancellationToken);
        }
        catch (Exception e) when (e is ConflictException or NotFoundException or IOException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext context, StatsJson stats, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(context.Response.Body, stats, cancellationToken: cancellationToken);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task<IResult> TopAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var top = await containers.TopAsync(id, DockerQuery.String(request, "ps_args"), cancellationToken);
        return TypedResults.Ok(new ContainerTopJson(top.Titles, top.Processes));
    }
}

/// <summary>GET /containers/{id}/top's answer.</summary>
public sealed record ContainerTopJson(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);
