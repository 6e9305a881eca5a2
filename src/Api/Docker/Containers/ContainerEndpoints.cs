using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Images;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>The container resource: list, create, inspect, remove, rename, update; the other groups are mapped from here.</summary>
public static class ContainerEndpoints
{
    public static IEndpointRouteBuilder MapDockerContainers(this IEndpointRouteBuilder app)
    {
        app.MapGet("/containers/json", ListAsync).WithTags("Containers").ProducesDockerErrors(400);
        app.MapPost("/containers/create", CreateAsync).WithTags("Containers").DescribesBody<ContainerCreateBody>()
            .Produces<ContainerCreateResponseJson>(StatusCodes.Status201Created).ProducesDockerErrors(400, 404, 409);
        app.MapGet("/containers/{id}/json", InspectAsync).WithTags("Containers").ProducesDockerErrors(404);
        app.MapDelete("/containers/{id}", RemoveAsync).WithTags("Containers").ProducesDockerErrors(400, 404, 409);
        app.MapPost("/containers/{id}/rename", RenameAsync).WithTags("Containers").ProducesDockerErrors(400, 404, 409);
        app.MapPost("/containers/{id}/update", UpdateAsync).WithTags("Containers").DescribesBody<ContainerUpdateJson>().ProducesDockerErrors(400, 404);
        app.MapPost("/containers/prune", PruneAsync).WithTags("Containers").ProducesDockerErrors(400);
        app.MapDockerContainerState();
        app.MapDockerContainerLogs();
        app.MapDockerContainerStats();
        app.MapDockerContainerArchive();
        app.MapDockerContainerCommit();
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ContainerService containers, ImageService images, CancellationToken cancellationToken)
    {
        var all = DockerQuery.Bool(request, "all");
        var limit = DockerQuery.Int(request, "limit");
        var size = DockerQuery.Bool(request, "size");
        var query = ContainerListQuery.Parse(DockerQuery.Filters(request));
        var summaries = await containers.ListAsync(new ContainerListOptions { All = all || limit is > 0, Filters = query.EngineFilters }, cancellationToken);
        var selected = await query.ApplyAsync(summaries, containers, cancellationToken);
        if (limit is > 0)
            selected = selected.Take(limit.Value).ToList();
        var result = new List<ContainerSummaryJson>(selected.Count);
        foreach (var summary in selected)
        {
            var (sizeRw, sizeRootFs) = size ? await ContainerSizes.OfAsync(containers, images, summary.Id, summary.ImageId, cancellationToken) : (null, null);
            result.Add(ContainerSummaryJson.From(summary, sizeRw, sizeRootFs));
        }
        return TypedResults.Ok(result);
    }

    private static readonly ApiVersion StartIntervalSince = new(1, 44);

    private static async Task<IResult> CreateAsync(HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var body = await ContainerBody.ReadAsync<ContainerCreateBody>(request, cancellationToken)
                   ?? throw new InvalidArgumentException("config cannot be empty in order to create a container");
        var platform = DockerQuery.String(request, "platform");
        if (platform is not null && !platform.StartsWith("linux", StringComparison.Ordinal))
            throw new InvalidArgumentException($"platform \"{platform}\" is not supported: only linux");
        var host = (body.HostConfig ?? new HostConfigJson()).ToEngine();
        var config = body.ToEngine();
        // As Moby: Healthcheck.StartInterval came with API 1.44; older clients' value is ignored.
        if (config.Healthcheck is { } healthcheck && request.HttpContext.GetApiVersion() < StartIntervalSince)
            config = config with { Healthcheck = healthcheck with { StartInterval = 0 } };
        var createRequest = new ContainerCreateRequest(config, host, DockerQuery.String(request, "name"))
        {
            Runtime = ContainerConfigJson.NullIfEmpty(body.HostConfig?.Runtime),
            Networks = body.Networks(host.NetworkMode),
        };
        ContainerCreateResult result;
        try
        {
            result = await containers.CreateAsync(createRequest, cancellationToken);
        }
        catch (NotFoundException e) when (e.Message.StartsWith("No such image", StringComparison.Ordinal) && createRequest.Config.Image.Length > 0)
        {
            // The CLI pulls when create says "No such image"; it prints the reference the way it normalised it.
            throw new NotFoundException($"No such image: {FamiliarReference(createRequest.Config.Image)}", e);
        }
        return TypedResults.Json(new ContainerCreateResponseJson(result.Id, result.Warnings), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> InspectAsync(string id, HttpRequest request, ContainerService containers, ImageService images, CancellationToken cancellationToken)
    {
        var details = await containers.InspectAsync(id, cancellationToken);
        var (sizeRw, sizeRootFs) = DockerQuery.Bool(request, "size")
            ? await ContainerSizes.OfAsync(containers, images, details.Id, details.Image, cancellationToken)
            : (null, null);
        return TypedResults.Ok(ContainerInspectJson.From(details, containers.Paths.Directory(details.Id), sizeRw, sizeRootFs));
    }

    private static async Task<IResult> RemoveAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        if (DockerQuery.Bool(request, "link"))
            throw new InvalidArgumentException("legacy container links are not supported: there is no link to remove");
        await containers.RemoveAsync(id, DockerQuery.Bool(request, "force"), DockerQuery.Bool(request, "v"), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RenameAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var name = DockerQuery.String(request, "name") ?? throw new InvalidArgumentException("Neither old nor new names may be empty");
        await containers.RenameAsync(id, name, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var body = await ContainerBody.ReadAsync<ContainerUpdateJson>(request, cancellationToken)
                   ?? throw new InvalidArgumentException("update config cannot be empty");
        await containers.UpdateAsync(id, body.ToEngine(), cancellationToken);
        return TypedResults.Ok(new ContainerUpdateResponseJson([]));
    }

    private static async Task<IResult> PruneAsync(HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var options = new ContainerPruneOptions();
        foreach (var (key, values) in DockerQuery.Filters(request))
        {
            options = key switch
            {
                "until" when values.Count > 1 => throw new InvalidArgumentException("more than one until filter is not allowed"),
                "until" => options with { Until = values.Count == 1 ? DockerQuery.FilterTime(values[0], DateTimeOffset.UtcNow) : null },
                "label" => options with { Labels = values },
                "label!" => options with { NotLabels = values },
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
        }
        var result = await containers.PruneAsync(options, cancellationToken);
        return TypedResults.Ok(new ContainerPruneResponseJson(result.ContainersDeleted, result.SpaceReclaimed));
    }

    private static string FamiliarReference(string image)
    {
        try
        {
            return ImageReference.ParseNormalized(image).ToFamiliarString();
        }
        catch (InvalidArgumentException)
        {
            return image;
        }
    }
}
