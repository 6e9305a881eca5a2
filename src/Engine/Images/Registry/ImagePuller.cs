using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// docker pull: resolves a reference to a manifest (through an index if there is one, for the host's platform or the one asked for), downloads config
/// and layers in parallel into the content store, each verified against its digest and size, then unpacks and
/// records the image. A pull that fails leaves no partial blob, layer or record behind.
/// </summary>
public sealed class ImagePuller(ImageService images, RegistryCredentialStore? credentials, HttpMessageHandler? handler = null)
{
    private const long ProgressStep = 256 * 1024;

    public Task<ImageDetails> PullAsync(string name, IProgress<ImageProgress>? progress, CancellationToken cancellationToken) =>
        PullAsync(name, null, null, progress, cancellationToken);

    public Task<ImageDetails> PullAsync(string name, RegistryCredential? credential, IProgress<ImageProgress>? progress, CancellationToken cancellationToken) =>
        PullAsync(name, credential, null, progress, cancellationToken);

    /// <param name="credential">The login for this pull (docker's X-Registry-Auth); null uses the stored login.</param>
    /// <param name="platform">
    /// The platform to take from a multi-platform index (docker pull --platform); null is the host's. As Docker, an image
    /// that is not an index is pulled whatever platform its config names: the record keeps that platform.
    /// </param>
    public async Task<ImageDetails> PullAsync(string name, RegistryCredential? credential, ImagePlatform? platform, IProgress<ImageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var reference = ImageReference.ParseNormalized(name);
        using var registry = new RegistryClient(reference.RegistryHost, images.Options, credentials, handler, credential);
        using var lease = await images.BeginIngestAsync(cancellationToken);
        var repository = reference.Path;

        var (body, mediaType, digest) = await registry.GetManifestAsync(repository, reference.Digest?.ToString() ?? reference.Tag!, cancellationToken);
        // Reported once the registry knows the reference, so a missing image fails before any progress is sent (as Docker's 404).
        progress?.Report(new ImageProgress(reference.Tag ?? reference.Digest.ToString()!, "Pulling from " + reference.FamiliarRepository));
        if (reference.Digest is { } pinned && pinned != digest)
            throw new InvalidArgumentException($"manifest {reference}: the registry sent content that hashes to {digest}");
        var topDigest = digest;
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = ImageArchiveLoader.Deserialize(body, ImageJsonContext.Default.OciIndex, $"index {digest}");
            var selected = PlatformSelector.Select(index, platform ?? images.Options.Platform);
            var wanted = Digest.Parse(selected.Digest);
            (body, mediaType, digest) = await registry.GetManifestAsync(repository, wanted.ToString(), cancellationToken);
            if (digest != wanted || body.Length != selected.Size)
                throw new InvalidArgumentException($"manifest {reference.Repository}@{wanted}: the registry sent {body.Length} bytes hashing to {digest}, the index declares {selected.Size}");
        }
        if (!MediaTypes.IsManifest(mediaType))
            throw new InvalidArgumentException($"{reference}: unsupported manifest media type \"{mediaType}\"");
        var manifest = ImageArchiveLoader.Deserialize(body, ImageJsonContext.Default.OciManifest, $"manifest {digest}");
        foreach (var layer in manifest.Layers.Where(l => !MediaTypes.IsLayer(l.MediaType)))
            throw new InvalidArgumentException($"manifest {digest}: unsupported layer media type \"{layer.MediaType}\"");

        ReserveStaging(manifest, body.Length);
        await images.Content.WriteBytesAsync(body, cancellationToken);
        var configDigest = Digest.Parse(manifest.Config.Digest);
        await DownloadAsync(registry, repository, manifest.Config, null, cancellationToken);

        using var slots = new SemaphoreSlim(images.Options.MaxConcurrentDownloads);
        foreach (var layer in manifest.Layers)
            progress?.Report(new ImageProgress(ImageProgress.ShortId(layer.Digest), images.Content.Exists(Digest.Parse(layer.Digest)) ? "Already exists" : "Pulling fs layer"));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var downloads = manifest.Layers.Select(async layer =>
        {
            await slots.WaitAsync(failed.Token);
            try
            {
                await DownloadAsync(registry, repository, layer, progress, failed.Token);
            }
            catch
            {
                // One failed layer fails the pull: stop the other downloads instead of finishing them.
                await failed.CancelAsync();
                throw;
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        try
        {
            await Task.WhenAll(downloads);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Rethrow the failure that caused the cancellation rather than the cancellation itself.
            throw downloads.Select(d => d.Exception?.InnerException).First(e => e is not null and not OperationCanceledException)!;
        }

        var tags = new List<ImageReference> { reference.WithDigest(topDigest) };
        if (reference.Tag is not null)
            tags.Add(reference.WithTag(reference.Tag));
        var image = await images.CommitAsync(configDigest, manifest.Layers, digest, tags, progress, cancellationToken);
        progress?.Report(new ImageProgress("", "Digest: " + topDigest));
        progress?.Report(new ImageProgress("", $"Status: Downloaded newer image for {reference.ToFamiliarString()}"));
        await images.PublishEventAsync("pull", reference.ToFamiliarString(), reference.ToFamiliarString(), cancellationToken);
        return image;
    }

    /// <summary>Refuses a pull whose missing blobs would not fit the staging budget, before anything is downloaded.</summary>
    private void ReserveStaging(OciManifest manifest, long manifestSize)
    {
        var missing = manifest.Layers.Prepend(manifest.Config).DistinctBy(d => d.Digest).Where(d => !images.Content.Exists(Digest.Parse(d.Digest)));
        new StagingBudget(images.Options, "pull").Reserve(manifestSize + missing.Sum(d => Math.Max(d.Size, 0)));
    }

    private async Task DownloadAsync(RegistryClient registry, string repository, OciDescriptor descriptor, IProgress<ImageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var digest = Digest.Parse(descriptor.Digest);
        if (images.Content.Exists(digest) && images.Content.SizeOf(digest) == descriptor.Size)
            return;
        var id = ImageProgress.ShortId(descriptor.Digest);
        using var response = await registry.GetBlobAsync(repository, digest, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long reported = -ProgressStep;
        var bytes = progress is null ? null : new ByteProgress(current =>
        {
            if (current - reported >= ProgressStep || current == descriptor.Size)
            {
                reported = current;
                progress.Report(new ImageProgress(id, "Downloading", current, descriptor.Size));
            }
        });
        try
        {
            await images.Content.WriteAsync(body, digest, descriptor.Size, cancellationToken, bytes);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new UnavailableException($"registry {registry.Host}: download of {descriptor.Digest} broke off: {e.Message}", e);
        }
        progress?.Report(new ImageProgress(id, "Verifying Checksum", descriptor.Size, descriptor.Size));
        progress?.Report(new ImageProgress(id, "Download complete", descriptor.Size, descriptor.Size));
    }
}
