using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>
/// docker load: reads OCI image layouts (tar or directory) and Docker archives (`docker save`, one or several
/// images); an archive that is both is read as an OCI layout. Every blob is copied into the content store and verified against its descriptor before any layer is
/// unpacked or any record written.
/// </summary>
public sealed class ImageArchiveLoader(ImageService images)
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string ContainerdNameAnnotation = "io.containerd.image.name";

    /// <summary>Loads every image of a tar archive (plain, gzip or zstd).</summary>
    public async Task<IReadOnlyList<ImageDetails>> LoadAsync(Stream archive, IProgress<ImageProgress>? progress, CancellationToken cancellationToken) =>
        (await LoadArchiveAsync(archive, progress, cancellationToken)).Select(l => l.Image).ToList();

    /// <summary>Loads every image of a tar archive; each with the tags the archive gave it (what `docker load` reports).</summary>
    public async Task<IReadOnlyList<LoadedImage>> LoadArchiveAsync(Stream archive, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(images.Options.DataRoot, "tmp");
        Directory.CreateDirectory(staging);
        var budget = new StagingBudget(images.Options, "image load");
        using var staged = await StagedArchive.ExtractAsync(archive, staging, budget, cancellationToken);
        var loaded = await LoadStagedAsync(staged, budget, progress, cancellationToken);
        foreach (var (image, tags) in loaded)
            await images.PublishEventAsync("load", image.Id, tags.FirstOrDefault() ?? image.Id, cancellationToken);
        return loaded;
    }

    /// <summary>Loads from a file: a tar archive, or a directory holding an OCI layout or an unpacked Docker archive.</summary>
    public async Task<IReadOnlyList<ImageDetails>> LoadAsync(string path, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            using var staged = StagedArchive.FromDirectory(path);
            return (await LoadStagedAsync(staged, new StagingBudget(images.Options, "image load"), progress, cancellationToken)).Select(l => l.Image).ToList();
        }
        await using var file = File.OpenRead(path);
        return await LoadAsync(file, progress, cancellationToken);
    }

    /// <summary>Copies the staged blobs into the content store (each copy counted against <paramref name="budget"/>) and commits the images.</summary>
    private async Task<IReadOnlyList<LoadedImage>> LoadStagedAsync(StagedArchive staged, StagingBudget budget, IProgress<ImageProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var lease = await images.BeginIngestAsync(cancellationToken);
        // A combined archive (docker save since Docker 25) is both; dockerd with the containerd image store, like
        // containerd's import, reads it as an OCI layout: index.json keeps the manifests and every platform of an
        // index, where manifest.json has one platform (the saving daemon's) and no manifests. A save holds the blobs
        // of the platforms the saving daemon had, so when the host's platform is missing, manifest.json (what a
        // classic dockerd reads) still loads the saved one.
        if (staged.Exists("index.json") && staged.Exists("oci-layout")
            && (!staged.Exists("manifest.json") || await HasHostPlatformBlobsAsync(staged, cancellationToken)))
            return await LoadOciLayoutAsync(staged, budget, progress, cancellationToken);
        if (staged.Exists("manifest.json"))
            return await LoadDockerArchiveAsync(staged, budget, progress, cancellationToken);
        throw new InvalidArgumentException("not an image archive: neither manifest.json (docker save) nor oci-layout and index.json (OCI layout) found");
    }

    private async Task<IReadOnlyList<LoadedImage>> LoadOciLayoutAsync(StagedArchive staged, StagingBudget budget, IProgress<ImageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var index = Deserialize(await File.ReadAllBytesAsync(staged.Require("index.json"), cancellationToken), ImageJsonContext.Default.OciIndex, "index.json");
        var loaded = new List<LoadedImage>();
        foreach (var descriptor in index.Manifests)
        {
            var name = descriptor.Annotations?.GetValueOrDefault(ContainerdNameAnnotation) ?? descriptor.Annotations?.GetValueOrDefault(RefNameAnnotation);
            var manifestDescriptor = await SelectManifestAsync(staged, budget, descriptor, cancellationToken);
            var manifestDigest = await IngestAsync(staged, budget, manifestDescriptor, cancellationToken);
            var manifest = Deserialize(await images.Content.ReadAllBytesAsync(manifestDigest, cancellationToken), ImageJsonContext.Default.OciManifest, manifestDescriptor.Digest);
            var configDigest = await IngestAsync(staged, budget, manifest.Config, cancellationToken);
            foreach (var layer in manifest.Layers)
            {
                if (!MediaTypes.IsLayer(layer.MediaType))
                    throw new InvalidArgumentException($"manifest {manifestDescriptor.Digest}: unsupported layer media type \"{layer.MediaType}\"");
                progress?.Report(new ImageProgress(ImageProgress.ShortId(layer.Digest), "Loading layer", 0, layer.Size));
                await IngestAsync(staged, budget, layer, cancellationToken);
            }
            var tags = TagFromRefName(name);
            loaded.Add(new LoadedImage(await images.CommitAsync(configDigest, manifest.Layers, manifestDigest, tags, progress, cancellationToken),
                tags.Select(t => t.ToFamiliarString()).ToList()));
        }
        return loaded;
    }

    /// <summary>An index entry may itself be an index (multi-platform): pick the configured linux platform.</summary>
    private async Task<OciDescriptor> SelectManifestAsync(StagedArchive staged, StagingBudget budget, OciDescriptor descriptor, CancellationToken cancellationToken)
    {
        for (var depth = 0; depth < 4; depth++)
        {
            if (!MediaTypes.IsIndex(descriptor.MediaType))
                return descriptor;
            var digest = await IngestAsync(staged, budget, descriptor, cancellationToken);
            var nested = Deserialize(await images.Content.ReadAllBytesAsync(digest, cancellationToken), ImageJsonContext.Default.OciIndex, descriptor.Digest);
            descriptor = PlatformSelector.Select(nested, images.Options.Platform);
        }
        throw new InvalidArgumentException($"index {descriptor.Digest}: nested too deeply");
    }

    /// <summary>Whether every image of the layout's index.json has its manifest, config and layers for the host's platform.</summary>
    private async Task<bool> HasHostPlatformBlobsAsync(StagedArchive staged, CancellationToken cancellationToken)
    {
        async Task<T?> ReadBlobAsync<T>(string digest, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class =>
            Digest.TryParse(digest, out var parsed) && staged.Resolve($"blobs/sha256/{parsed.Hex}") is { } path
                ? Deserialize(await File.ReadAllBytesAsync(path, cancellationToken), type, digest)
                : null;
        bool Has(OciDescriptor descriptor) =>
            Digest.TryParse(descriptor.Digest, out var parsed) && staged.Resolve($"blobs/sha256/{parsed.Hex}") is not null;

        var index = Deserialize(await File.ReadAllBytesAsync(staged.Require("index.json"), cancellationToken), ImageJsonContext.Default.OciIndex, "index.json");
        foreach (var entry in index.Manifests)
        {
            var descriptor = entry;
            for (var depth = 0; MediaTypes.IsIndex(descriptor.MediaType); depth++)
            {
                if (depth == 4 || await ReadBlobAsync(descriptor.Digest, ImageJsonContext.Default.OciIndex) is not { } nested)
                    return false;
                try
                {
                    descriptor = PlatformSelector.Select(nested, images.Options.Platform);
                }
                catch (NotFoundException)
                {
                    return false;
                }
            }
            if (await ReadBlobAsync(descriptor.Digest, ImageJsonContext.Default.OciManifest) is not { } manifest
                || !Has(manifest.Config) || !manifest.Layers.All(Has))
                return false;
        }
        return true;
    }

    private async Task<IReadOnlyList<LoadedImage>> LoadDockerArchiveAsync(StagedArchive staged, StagingBudget budget, IProgress<ImageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var entries = Deserialize(await File.ReadAllBytesAsync(staged.Require("manifest.json"), cancellationToken),
            ImageJsonContext.Default.ListDockerArchiveEntry, "manifest.json");
        var loaded = new List<LoadedImage>();
        foreach (var entry in entries)
        {
            Digest configDigest;
            await using (var config = File.OpenRead(staged.Require(entry.Config)))
                configDigest = await images.Content.WriteAsync(config, ExpectedDigestFromName(entry.Config), null, cancellationToken, budget.CountWrittenTotals());
            var layers = new List<OciDescriptor>();
            foreach (var layerName in entry.Layers)
            {
                await using var layer = File.OpenRead(staged.Require(layerName));
                progress?.Report(new ImageProgress(ImageProgress.ShortId(layerName), "Loading layer", 0, layer.Length));
                var digest = await images.Content.WriteAsync(layer, null, null, cancellationToken, budget.CountWrittenTotals());
                layers.Add(new OciDescriptor { Digest = digest.ToString(), Size = layer.Length, MediaType = LayerCompression.MediaTypeOf(layer) });
            }
            var tags = (entry.RepoTags ?? []).Select(ImageReference.ParseNormalized).ToList();
            loaded.Add(new LoadedImage(await images.CommitAsync(configDigest, layers, null, tags, progress, cancellationToken),
                tags.Select(t => t.ToFamiliarString()).ToList()));
        }
        return loaded;
    }

    private async Task<Digest> IngestAsync(StagedArchive staged, StagingBudget budget, OciDescriptor descriptor, CancellationToken cancellationToken)
    {
        var digest = Digest.Parse(descriptor.Digest);
        var path = staged.Resolve($"blobs/sha256/{digest.Hex}")
            ?? throw new InvalidArgumentException($"OCI layout is missing blob {digest}");
        await using var blob = File.OpenRead(path);
        return await images.Content.WriteAsync(blob, digest, descriptor.Size, cancellationToken, budget.CountWrittenTotals());
    }

    /// <summary>A docker archive names its config "&lt;hex&gt;.json" after its digest: hold the content to that name.</summary>
    private static Digest? ExpectedDigestFromName(string name)
    {
        var file = Path.GetFileNameWithoutExtension(name);
        return Digest.TryParse("sha256:" + file, out var digest) ? digest : null;
    }

    /// <summary>
    /// An OCI ref name is either a whole reference (busybox:latest, what skopeo and docker write) or only a tag;
    /// a bare tag names no repository, so the image loads untagged.
    /// </summary>
    private static List<ImageReference> TagFromRefName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !(name.Contains(':') || name.Contains('/')))
            return [];
        return [ImageReference.ParseNormalized(name)];
    }

    internal static T Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new InvalidArgumentException($"{what} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}

/// <summary>An image a load brought, with the tags the archive named it by (familiar form).</summary>
public sealed record LoadedImage(ImageDetails Image, IReadOnlyList<string> Tags);
