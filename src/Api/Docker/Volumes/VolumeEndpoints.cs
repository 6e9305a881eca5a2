using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Volumes;

namespace WebEngine.Api.Docker;

/// <summary>`docker volume`: list, create, inspect, remove, prune.</summary>
public static class VolumeEndpoints
{
    private static readonly JsonSerializerOptions BodyOptions = new() { PropertyNameCaseInsensitive = true };

    public static IEndpointRouteBuilder MapDockerVolumes(this IEndpointRouteBuilder app)
    {
        app.MapGet("/volumes", ListAsync).WithTags("Volume").ProducesDockerErrors(400);
        app.MapPost("/volumes/create", CreateAsync).WithTags("Volume").DescribesBody<VolumeCreateJson>().ProducesDockerErrors(400, 404);
        app.MapPost("/volumes/prune", PruneAsync).WithTags("Volume").ProducesDockerErrors(400);
        app.MapGet("/volumes/{name}", async (string name, VolumeService volumes, HttpContext context) =>
            TypedResults.Ok(VolumeJson.From(await volumes.InspectAsync(name, context.RequestAborted)))).WithTags("Volume").ProducesDockerErrors(404);
        app.MapDelete("/volumes/{name}", async (string name, VolumeService volumes, HttpRequest request) =>
        {
            await volumes.RemoveAsync(name, request.Bool("force"), request.HttpContext.RequestAborted);
            return TypedResults.NoContent();
        }).WithTags("Volume").ProducesDockerErrors(404, 409);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, VolumeService volumes)
    {
        var list = await volumes.ListAsync(request.Filters(), request.HttpContext.RequestAborted);
        return TypedResults.Ok(new VolumeListJson(list.Select(v => VolumeJson.From(v)).ToList(), []));
    }

    /// <summary>The body is read by hand so that malformed JSON and wrong types are a 400 with the parser's message.</summary>
    private static async Task<IResult> CreateAsync(HttpRequest request, VolumeService volumes)
    {
        VolumeCreateJson? body;
        try
        {
            body = request.ContentLength == 0 ? null : await JsonSerializer.DeserializeAsync<VolumeCreateJson>(request.Body, BodyOptions, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid JSON in the volume create request: {e.Message}", e);
        }
        body ??= new VolumeCreateJson(null, null, null, null);
        var volume = await volumes.CreateAsync(body.Name, body.Labels, body.DriverOpts, request.HttpContext.RequestAborted,
            string.IsNullOrEmpty(body.Driver) ? "local" : body.Driver);
        return TypedResults.Created((string?)null, VolumeJson.From(volume));
    }

    /// <summary>docker volume prune: unused anonymous volumes; `all=true` (-a) every unused one; label filters narrow it.</summary>
    private static async Task<IResult> PruneAsync(HttpRequest request, VolumeService volumes)
    {
        var filters = request.Filters();
        DockerQuery.RequireKnownKeys(filters, "all", "label", "label!");
        if (filters.ContainsKey("label!"))
            throw new InvalidArgumentException("invalid filter 'label!': this engine's volume prune takes label= filters only");
        var all = filters.TryGetValue("all", out var values) && values.Count > 0 && values[0].ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            var other => throw new InvalidArgumentException($"invalid filter 'all={other}'"),
        };
        var result = await volumes.PruneAsync(all, filters.GetValueOrDefault("label") ?? [], request.HttpContext.RequestAborted);
        return TypedResults.Ok(new VolumePruneJson(result.VolumesDeleted, result.SpaceReclaimed));
    }
}
