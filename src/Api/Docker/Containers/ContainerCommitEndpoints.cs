using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>docker diff (GET /containers/{id}/changes) and docker commit (POST /commit).</summary>
public static class ContainerCommitEndpoints
{
    public static IEndpointRouteBuilder MapDockerContainerCommit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/{id}/changes", ChangesAsync).WithTags("Containers").Produces<List<ContainerChangeJson>>().ProducesDockerErrors(404, 409);
        app.MapPost("/commit", CommitAsync).WithTags("Image").DescribesBody<ContainerConfigJson>()
            .Produces<CommitResponseJson>(StatusCodes.Status201Created).ProducesDockerErrors(400, 404, 409);
        return app;
    }

    private static async Task<IResult> ChangesAsync(string id, ContainerService containers, CancellationToken cancellationToken)
    {
        var changes = await containers.ChangesAsync(id, cancellationToken);
        return TypedResults.Ok(changes.Select(c => new ContainerChangeJson(c.Path, (int)c.Kind)).ToList());
    }

    private static async Task<IResult> CommitAsync(HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var container = DockerQuery.String(request, "container") ?? "";
        var body = await ContainerBody.ReadAsync<ContainerConfigJson>(request, cancellationToken);
        var options = new ContainerCommitOptions
        {
            Repository = DockerQuery.String(request, "repo"),
            Tag = DockerQuery.String(request, "tag"),
            Comment = DockerQuery.String(request, "comment"),
            Author = DockerQuery.String(request, "author"),
            Pause = DockerQuery.Bool(request, "pause", defaultValue: true),
            Changes = request.Query["changes"].OfType<string>().ToList(),
            Config = body?.ToEngine(),
        };
        var image = await containers.CommitAsync(container, options, cancellationToken);
        return TypedResults.Json(new CommitResponseJson(image.Id), statusCode: StatusCodes.Status201Created);
    }
}

/// <summary>One entry of docker diff: Kind 0 modified, 1 added, 2 deleted.</summary>
public sealed record ContainerChangeJson(string Path, int Kind);

/// <summary>POST /commit's answer (Docker's IDResponse).</summary>
public sealed record CommitResponseJson(string Id);
