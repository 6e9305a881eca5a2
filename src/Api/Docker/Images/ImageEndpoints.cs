using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Api.Docker;

/// <summary>
/// The image endpoints that read or change records: list, inspect, history, tag, remove, prune. Image names may hold
/// slashes (127.0.0.1:5000/team/app), so the per-image routes take the rest of the path and split off the verb.
/// </summary>
public static class ImageEndpoints
{
    public static IEndpointRouteBuilder MapDockerImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/json", ListAsync).WithTags("Image").ProducesDockerErrors(400, 404);
        app.MapPost("/images/prune", PruneAsync).WithTags("Image").ProducesDockerErrors(400);
        app.MapGet("/images/{**path}", (HttpContext context, ImageService images, string path) => SplitVerb(path) switch
        {
            (var name, "json") => InspectAsync(images, name, context.RequestAborted),
            (var name, "history") => HistoryAsync(images, name, context.RequestAborted),
            (var name, "get") => ImageTransferEndpoints.SaveAsync(context, images, [name]),
            _ => Task.FromResult(PageNotFound()),
        }).WithTags("Image").Produces<ImageInspectJson>().Produces<List<ImageHistoryJson>>().ProducesStream(DockerEndpointMetadata.Tar)
            .ProducesDockerErrors(400, 404);
        app.MapPost("/images/{**path}", (HttpContext context, ImageService images, string path) => SplitVerb(path) switch
        {
            (var name, "tag") => TagAsync(context.Request, images, name),
            (var name, "push") => ImageTransferEndpoints.PushAsync(context, name),
            _ => Task.FromResult(PageNotFound()),
        }).WithTags("Image").ProducesEmpty(201).ProducesStream("application/json").ProducesDockerErrors(400, 404, 409);
        app.MapDelete("/images/{**name}", RemoveAsync).WithTags("Image").ProducesDockerErrors(404, 409);
        app.MapDockerImageTransfers();
        app.MapDockerBuild();
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ImageService images)
    {
        var filters = request.Filters();
        var all = await images.ListAsync(request.HttpContext.RequestAborted);
        return TypedResults.Ok(await ImageListQuery.ApplyAsync(images, all, filters, request.HttpContext.RequestAborted));
    }

    private static async Task<IResult> InspectAsync(ImageService images, string name, CancellationToken cancellationToken)
    {
        var image = await images.InspectAsync(name, cancellationToken);
        return TypedResults.Ok(ImageInspectJson.From(image, chain => images.Layers.DiffPath(Digest.Parse(chain))));
    }

    private static async Task<IResult> HistoryAsync(ImageService images, string name, CancellationToken cancellationToken) =>
        TypedResults.Ok((await images.HistoryAsync(name, cancellationToken)).Select(ImageHistoryJson.From).ToList());

    /// <summary>docker tag: `repo` and `tag` name the new reference (tag defaults to latest).</summary>
    private static async Task<IResult> TagAsync(HttpRequest request, ImageService images, string name)
    {
        var repository = request.String("repo") ?? throw new InvalidArgumentException("repository name must have at least one component");
        var tag = request.String("tag");
        if (repository.Contains('@'))
            throw new InvalidArgumentException($"refusing to create a tag with a digest reference: {repository}");
        await images.TagAsync(name, tag is null ? repository : repository + ":" + tag, request.HttpContext.RequestAborted);
        return TypedResults.Created();
    }

    private static async Task<IResult> RemoveAsync(HttpRequest request, ImageService images, string name)
    {
        var removed = await images.RemoveAsync(name, request.Bool("force"), request.HttpContext.RequestAborted);
        return TypedResults.Ok(removed.Select(ImageDeleteJson.From).ToList());
    }

    /// <summary>docker image prune: dangling images by default; `dangling=false` (-a) every unused one; until and label narrow it.</summary>
    private static async Task<IResult> PruneAsync(HttpRequest request, ImageService images)
    {
        var filters = request.Filters();
        DockerQuery.RequireKnownKeys(filters, "dangling", "until", "label", "label!");
        var all = filters.TryGetValue("dangling", out var dangling) && dangling.Count > 0 && dangling[0].ToLowerInvariant() switch
        {
            "false" or "0" => true,
            "true" or "1" => false,
            var other => throw new InvalidArgumentException($"invalid filter 'dangling={other}'"),
        };
        var until = filters.TryGetValue("until", out var untilValues) && untilValues.Count > 0 ? PruneUntil.Parse(untilValues[0]) : (DateTime?)null;
        var labels = filters.GetValueOrDefault("label") ?? [];
        var notLabels = filters.GetValueOrDefault("label!") ?? [];
        var result = await images.PruneAsync(all, image =>
            (until is null || image.Created < until) &&
            labels.All(l => ImageListQuery.HasLabel(image.Config.Config?.Labels, l)) &&
            !notLabels.Any(l => ImageListQuery.HasLabel(image.Config.Config?.Labels, l)), request.HttpContext.RequestAborted);
        return TypedResults.Ok(new ImagePruneJson(result.Deleted.Select(ImageDeleteJson.From).ToList(), result.SpaceReclaimed));
    }

    /// <summary>"team/app/json" is (team/app, json); a path without a verb has an empty one.</summary>
    private static (string Name, string Verb) SplitVerb(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? (path, "") : (path[..slash], path[(slash + 1)..]);
    }

    private static IResult PageNotFound() => new DockerErrorResult(StatusCodes.Status404NotFound, "page not found");
}

/// <summary>A Docker error response as an IResult, for handlers that answer an error without throwing.</summary>
public sealed class DockerErrorResult(int statusCode, string message) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => DockerErrors.WriteAsync(httpContext, statusCode, message);
}
