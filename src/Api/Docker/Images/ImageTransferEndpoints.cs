using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Engine;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;

namespace WebEngine.Api.Docker;

/// <summary>
/// The image endpoints that move bytes: pull and import (POST /images/create), load, save (get) and push. Progress
/// is streamed as Docker's JSON lines; archives are streamed, never held in memory.
/// </summary>
public static class ImageTransferEndpoints
{
    public static IEndpointRouteBuilder MapDockerImageTransfers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/images/create", CreateAsync).WithTags("Image").ProducesStream("application/json").ProducesDockerErrors(400, 401, 404, 503);
        app.MapPost("/images/load", LoadAsync).WithTags("Image").ProducesStream("application/json").ProducesDockerErrors(400);
        app.MapGet("/images/get", (HttpContext context, ImageService images) =>
            SaveAsync(context, images, context.Request.Query["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList())).WithTags("Image")
            .ProducesStream(DockerEndpointMetadata.Tar).ProducesDockerErrors(400, 404);
        return app;
    }

    /// <summary>docker pull (fromImage, tag, platform; X-Registry-Auth) or docker import (fromSrc, repo, tag, changes, message).</summary>
    private static async Task CreateAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.String("fromSrc") is { } source)
        {
            await ImportAsync(context, source);
            return;
        }
        var image = request.String("fromImage") ?? throw new InvalidArgumentException("either fromImage or fromSrc is required");
        var tag = request.String("tag");
        var name = tag is null ? image : tag.StartsWith("sha256:", StringComparison.Ordinal) ? image + "@" + tag : image + ":" + tag;
        var reference = ImageReference.ParseNormalized(name);
        var platform = request.String("platform") is { Length: > 0 } value
            ? ImagePlatform.Parse(value, context.RequestServices.GetRequiredService<ImageStoreOptions>().Architecture)
            : null;
        var credential = RegistryAuthHeader.Read(request);
        var puller = context.RequestServices.GetRequiredService<ImagePuller>();
        await new JsonLines(context).StreamAsync(async (progress, cancellationToken) =>
            await puller.PullAsync(reference.ToString(), credential, platform, new Progress(progress), cancellationToken), context.RequestAborted);
    }

    /// <summary>docker import: the root file system tar comes as the body (fromSrc=-) or from a URL.</summary>
    private static async Task ImportAsync(HttpContext context, string source)
    {
        var request = context.Request;
        var repository = request.String("repo");
        var tag = request.String("tag");
        var reference = repository is null ? null : tag is null ? repository : repository + ":" + tag;
        var changes = request.Query["changes"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
        var importer = context.RequestServices.GetRequiredService<ImageImporter>();
        AllowLargeBody(context);
        ImageDetails image;
        if (source == "-")
            image = await importer.ImportAsync(request.Body, reference, changes, request.String("message"), context.RequestAborted);
        else
        {
            if (!Uri.TryCreate(source, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new InvalidArgumentException($"import: fromSrc must be \"-\" or an http(s) URL, got \"{source}\"");
            using var http = new HttpClient();
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            if (!response.IsSuccessStatusCode)
                throw new InvalidArgumentException($"import: GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            image = await importer.ImportAsync(body, reference, changes, request.String("message") ?? $"Imported from {url}", context.RequestAborted);
        }
        await new JsonLines(context).WriteAsync(new JsonMessage { Status = image.Id }, context.RequestAborted);
    }

    /// <summary>
    /// docker load: the archive is first copied to a file under the data root (the loader needs to seek, and a
    /// corrupt archive must be refused with a 400 before the stream starts), then loaded with per-layer progress.
    /// </summary>
    private static async Task LoadAsync(HttpContext context, ImageArchiveLoader loader, ImageStoreOptions options)
    {
        AllowLargeBody(context);
        var quiet = context.Request.Bool("quiet");
        var staging = Path.Combine(options.DataRoot, "tmp");
        Directory.CreateDirectory(staging);
        await using var upload = new FileStream(Path.Combine(staging, "upload-" + Guid.NewGuid().ToString("N")), new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await context.Request.Body.CopyToAsync(upload, context.RequestAborted);
        if (upload.Length == 0)
            throw new InvalidArgumentException("load: the request body is empty; send an image archive (docker save, OCI layout)");
        upload.Seek(0, SeekOrigin.Begin);
        await new JsonLines(context).StreamAsync(async (progress, cancellationToken) =>
        {
            var loaded = await loader.LoadArchiveAsync(upload, quiet ? null : new Progress(progress), cancellationToken);
            foreach (var (image, tags) in loaded)
            {
                var lines = tags.Count == 0 ? [$"Loaded image ID: {image.Id}\n"] : tags.Select(t => $"Loaded image: {t}\n");
                foreach (var line in lines)
                    progress.Report(new JsonMessage { Stream = line });
            }
        }, context.RequestAborted);
    }

    /// <summary>
    /// docker save: Docker 25's combined archive (OCI layout and Docker archive in one tar) written straight into the response. Every name is resolved first, so an unknown
    /// image is a 404 before any byte is sent.
    /// </summary>
    public static async Task<IResult> SaveAsync(HttpContext context, ImageService images, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
            throw new InvalidArgumentException("save: no image named (names=)");
        var selected = new List<ImageDetails>();
        foreach (var name in names)
            selected.Add(await images.InspectAsync(name, context.RequestAborted));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-tar";
        await context.RequestServices.GetRequiredService<ImageArchiveWriter>().SaveAsync(names, context.Response.Body, context.RequestAborted);
        foreach (var image in selected.DistinctBy(i => i.Id))
            await images.PublishSaveEventAsync(image, context.RequestAborted);
        return Results.Empty;
    }

    /// <summary>docker push: `tag` names the tag of the repository in the path (every local tag of it when empty).</summary>
    public static async Task<IResult> PushAsync(HttpContext context, string name)
    {
        var request = context.Request;
        var tag = request.String("tag");
        var repository = ImageReference.Parse(name);
        if (repository.Tag is not null || repository.Digest is not null)
            throw new InvalidArgumentException($"push: name the repository in the path and the tag in ?tag= (got \"{name}\")");
        var images = context.RequestServices.GetRequiredService<ImageService>();
        var references = tag is not null
            ? [repository.WithTag(tag).ToString()]
            : (await images.ListAsync(context.RequestAborted)).SelectMany(i => i.RepoTags)
                .Select(ImageReference.ParseNormalized).Where(r => r.Repository == repository.Repository).Select(r => r.ToString()).Distinct().ToList();
        if (references.Count == 0)
            throw new NotFoundException($"An image does not exist locally with the tag: {repository.FamiliarRepository}");
        var credential = RegistryAuthHeader.Read(request);
        var pusher = context.RequestServices.GetRequiredService<ImagePusher>();
        await new JsonLines(context).StreamAsync(async (progress, cancellationToken) =>
        {
            foreach (var reference in references)
            {
                var digest = await pusher.PushAsync(reference, credential, new Progress(progress), cancellationToken);
                progress.Report(new JsonMessage { ProgressDetail = new ProgressDetail(), Aux = new { Tag = ImageReference.Parse(reference).Tag, Digest = digest.ToString() } });
            }
        }, context.RequestAborted);
        return Results.Empty;
    }

    /// <summary>Image archives are larger than Kestrel's default 30 MB request limit.</summary>
    internal static void AllowLargeBody(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
    }

    /// <summary>The engine's progress as Docker's JSON messages, with the text bar older clients print.</summary>
    internal sealed class Progress(IProgress<JsonMessage> lines) : IProgress<ImageProgress>
    {
        public void Report(ImageProgress value) => lines.Report(new JsonMessage
        {
            Status = value.Status,
            Id = value.Id.Length == 0 ? null : value.Id,
            ProgressDetail = value.Id.Length == 0 ? null : value.Total > 0 && value.Current < value.Total ? new ProgressDetail(value.Current, value.Total) : new ProgressDetail(),
            Progress = value.Total > 0 && value.Current < value.Total ? Bar(value.Current, value.Total) : null,
        });

        private static string Bar(long current, long total)
        {
            const int width = 50;
            var filled = (int)(width * current / total);
            var arrow = filled > 0 && filled < width ? ">" : "";
            return $"[{new string('=', Math.Max(0, filled - arrow.Length))}{arrow}{new string(' ', width - filled)}] {Bytes(current)}/{Bytes(total)}";
        }

        private static string Bytes(long value) => value switch
        {
            >= 1_000_000_000 => $"{value / 1e9:0.##}GB",
            >= 1_000_000 => $"{value / 1e6:0.##}MB",
            >= 1_000 => $"{value / 1e3:0.##}kB",
            _ => $"{value}B",
        };
    }
}
