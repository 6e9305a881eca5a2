using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Build;
using WebEngine.Engine.Images;

namespace WebEngine.Api.Docker;

/// <summary>
/// docker build (POST /build) with the classic builder: the body is the context tar, the query the options, the
/// answer Docker's JSON progress stream. A bad Dockerfile or context is an error answer before the stream starts.
/// </summary>
public static class BuildEndpoint
{
    public static IEndpointRouteBuilder MapDockerBuild(this IEndpointRouteBuilder app)
    {
        app.MapPost("/build", BuildAsync).WithTags("Image").ProducesStream("application/json").ProducesDockerErrors(400, 500);
        return app;
    }

    private static async Task BuildAsync(HttpContext context, ImageBuilder builder, ImageStoreOptions store)
    {
        var options = Options(context.Request, store);
        ImageTransferEndpoints.AllowLargeBody(context);
        await using var build = await builder.PrepareAsync(context.Request.Body, options, context.RequestAborted);
        await new JsonLines(context).StreamAsync(async (progress, cancellationToken) =>
            await build.RunAsync(new Output(progress), cancellationToken), context.RequestAborted);
    }

    /// <summary>The query as dockerd reads it; what this daemon does not serve (BuildKit, remote contexts, another platform) is a 400.</summary>
    private static BuildOptions Options(HttpRequest request, ImageStoreOptions store)
    {
        if (request.String("version") is { } version && version != "1")
            throw new InvalidArgumentException($"builder version \"{version}\" is not served: this daemon has only the classic builder (version 1); build without BuildKit (DOCKER_BUILDKIT=0)");
        if (request.String("remote") is { } remote)
            throw new InvalidArgumentException($"remote build contexts are not supported ({remote}): send the context as the request body");
        if (request.String("platform") is { } platform)
        {
            var wanted = ImagePlatform.Parse(platform, store.Architecture);
            if (wanted.Os != "linux" || wanted.Architecture != store.Architecture)
                throw new InvalidArgumentException($"platform \"{platform}\" is not served: this daemon builds only for linux/{store.Architecture}");
        }
        var tags = new List<ImageReference>();
        foreach (var tag in request.Query["t"].Where(t => !string.IsNullOrEmpty(t)))
        {
            var reference = ImageReference.ParseNormalized(tag!);
            if (reference.Digest is not null)
                throw new InvalidArgumentException($"invalid tag \"{tag}\": a build cannot be tagged with a digest");
            tags.Add(reference);
        }
        return new BuildOptions
        {
            Tags = tags,
            Dockerfile = request.String("dockerfile") ?? "Dockerfile",
            BuildArgs = JsonMap<string?>(request, "buildargs"),
            Labels = JsonMap<string>(request, "labels"),
            Remove = request.Bool("rm", true),
            ForceRemove = request.Bool("forcerm"),
            Quiet = request.Bool("q"),
            Pull = request.Bool("pull"),
            Target = request.String("target"),
            NetworkMode = request.String("networkmode") is { } mode && mode != "default" ? mode : "",
            ExtraHosts = request.Query["extrahosts"].SelectMany(h => (h ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList(),
            RegistryCredentials = RegistryAuthHeader.ReadConfig(request),
        };
    }

    private static Dictionary<string, T> JsonMap<T>(HttpRequest request, string name)
    {
        if (request.String(name) is not { } json)
            return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, T>>(json) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid {name}: {e.Message}", e);
        }
    }

    /// <summary>The builder's output as Docker's JSON messages: text as "stream", the image built as aux {"ID": …}, pulls as docker pull's.</summary>
    private sealed class Output(IProgress<JsonMessage> lines) : IProgress<BuildOutput>
    {
        private readonly ImageTransferEndpoints.Progress _pull = new(lines);

        public void Report(BuildOutput value)
        {
            if (value.Pull is { } pull)
                _pull.Report(pull);
            else
                lines.Report(value.ImageId is { } id ? new JsonMessage { Aux = new Dictionary<string, string> { ["ID"] = id } } : new JsonMessage { Stream = value.Text });
        }
    }
}
