using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// docker push: uploads the layers and config a registry lacks (HEAD first; a blob the image is known by in another
/// repository of the same registry is mounted from there; the rest is sent in chunks), then PUTs the manifest under
/// the tag, and records the repository digest the registry now knows the image by.
/// </summary>
public sealed class ImagePusher(ImageService images, RegistryCredentialStore? credentials, HttpMessageHandler? handler = null)
{
    /// <summary>Pushes the local image <paramref name="name"/> (repository[:tag]); returns the manifest digest.</summary>
    public Task<Digest> PushAsync(string name, IProgress<ImageProgress>? progress, CancellationToken cancellationToken) =>
        PushAsync(name, null, progress, cancellationToken);

    /// <param name="credential">The login for this push (docker's X-Registry-Auth); null uses the stored login.</param>
    public async Task<Digest> PushAsync(string name, RegistryCredential? credential, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var reference = ImageReference.ParseNormalized(name);
        if (reference.Digest is not null)
            throw new InvalidArgumentException($"push: name a tag, not a digest: {name}");
        ImageDetails image;
        try
        {
            image = await images.InspectAsync(reference.ToString(), cancellationToken);
        }
        catch (NotFoundException e)
        {
            throw new NotFoundException($"An image does not exist locally with the tag: {reference.FamiliarRepository}", e);
        }
        var (manifest, mediaType, digest) = await ImageManifests.ForImageAsync(image, images.Content, cancellationToken);
        using var registry = new RegistryClient(reference.RegistryHost, images.Options, credentials, handler, credential);
        progress?.Report(new ImageProgress(reference.Tag!, $"The push refers to repository [{reference.FamiliarRepository}]"));

        var mountFrom = MountSource(image, reference);
        var blobs = image.Layers.Select(l => (Digest.Parse(l.BlobDigest), l.BlobSize)).Append((Digest.Parse(image.Id), images.Content.SizeOf(Digest.Parse(image.Id))));
        foreach (var (blob, size) in blobs.DistinctBy(b => b.Item1))
        {
            var id = ImageProgress.ShortId(blob.ToString());
            if (!images.Content.Exists(blob))
                throw new NotFoundException($"push {name}: blob {blob} is not in the content store");
            if (await registry.BlobExistsAsync(reference.Path, blob, cancellationToken))
            {
                progress?.Report(new ImageProgress(id, "Layer already exists", size, size));
                continue;
            }
            progress?.Report(new ImageProgress(id, "Pushing", 0, size));
            var upload = await registry.StartUploadAsync(reference.Path, blob, mountFrom, cancellationToken);
            if (upload is null)
            {
                progress?.Report(new ImageProgress(id, $"Mounted from {mountFrom}", size, size));
                continue;
            }
            var sent = progress is null ? null : new ByteProgress(bytes => progress.Report(new ImageProgress(id, "Pushing", bytes, size)));
            await registry.UploadBlobAsync(reference.Path, upload, blob, () => images.Content.OpenRead(blob), size, images.Options.PushChunkSize, sent,
                cancellationToken);
            progress?.Report(new ImageProgress(id, "Pushed", size, size));
        }
        await registry.PutManifestAsync(reference.Path, reference.Tag!, manifest, mediaType, cancellationToken);
        await images.Content.WriteBytesAsync(manifest, cancellationToken);
        await images.AddRepoDigestAsync(image.Id, reference.WithDigest(digest), cancellationToken);
        progress?.Report(new ImageProgress("", $"{reference.Tag}: digest: {digest} size: {manifest.Length}"));
        await images.PublishEventAsync("push", reference.ToFamiliarString(), reference.ToFamiliarString(), cancellationToken);
        return digest;
    }

    /// <summary>
    /// Another repository of the same registry the image was pulled from or pushed to (its tags and digests say
    /// which): its blobs are there, so the registry can link them instead of receiving them again.
    /// </summary>
    private static string? MountSource(ImageDetails image, ImageReference target) =>
        image.RepoDigests.Concat(image.RepoTags)
            .Select(ImageReference.ParseNormalized)
            .Where(r => r.RegistryHost == target.RegistryHost && r.Path != target.Path)
            .Select(r => r.Path)
            .FirstOrDefault();
}
