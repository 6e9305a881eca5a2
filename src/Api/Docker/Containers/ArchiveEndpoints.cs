using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>docker cp (HEAD, GET and PUT /containers/{id}/archive) and docker export (GET /containers/{id}/export).</summary>
public static class ArchiveEndpoints
{
    public const string PathStatHeader = "X-Docker-Container-Path-Stat";

    public static IEndpointRouteBuilder MapDockerContainerArchive(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/containers/{id}/archive", ["HEAD"], StatAsync).WithTags("Containers").ProducesDockerErrors(400, 404);
        app.MapGet("/containers/{id}/archive", GetAsync).WithTags("Containers").ProducesStream(DockerEndpointMetadata.Tar).ProducesDockerErrors(400, 404);
        app.MapPut("/containers/{id}/archive", PutAsync).WithTags("Containers").DescribesBody<Stream>(DockerEndpointMetadata.Tar).ProducesDockerErrors(400, 403, 404, 409);
        app.MapGet("/containers/{id}/export", ExportAsync).WithTags("Containers").ProducesStream(DockerEndpointMetadata.Tar).ProducesDockerErrors(404, 409);
        return app;
    }

    private static async Task StatAsync(string id, HttpContext context, ContainerService containers)
    {
        var stat = await containers.StatPathAsync(id, PathParameter(context.Request), context.RequestAborted);
        context.Response.Headers[PathStatHeader] = Encode(stat);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task GetAsync(string id, HttpContext context, ContainerService containers)
    {
        var (stat, writeTar) = await containers.ArchiveAsync(id, PathParameter(context.Request), context.RequestAborted);
        context.Response.Headers[PathStatHeader] = Encode(stat);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-tar";
        await writeTar(context.Response.Body, context.RequestAborted);
    }

    private static async Task<IResult> PutAsync(string id, HttpRequest request, ContainerService containers, CancellationToken cancellationToken)
    {
        var options = new ArchiveExtractOptions
        {
            NoOverwriteDirNonDir = DockerQuery.Bool(request, "noOverwriteDirNonDir"),
            CopyUidGid = DockerQuery.Bool(request, "copyUIDGID"),
        };
        await containers.ExtractArchiveAsync(id, PathParameter(request), request.Body, options, cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task ExportAsync(string id, HttpContext context, ContainerService containers)
    {
        var writeTar = await containers.ExportAsync(id, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-tar";
        await writeTar(context.Response.Body, context.RequestAborted);
    }

    private static string PathParameter(HttpRequest request) =>
        DockerQuery.String(request, "path") ?? throw new InvalidArgumentException("path cannot be empty");

    /// <summary>The stat header: base64 of Docker's ContainerPathStat JSON.</summary>
    private static string Encode(ContainerPathStat stat) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new PathStatJson(stat.Name, stat.Size, stat.Mode, stat.Mtime.UtcDateTime, stat.LinkTarget))));

    private sealed record PathStatJson(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("mode")] uint Mode,
        [property: JsonPropertyName("mtime")] DateTime Mtime,
        [property: JsonPropertyName("linkTarget")] string LinkTarget);
}
