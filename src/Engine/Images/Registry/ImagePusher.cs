using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// docker push: uploads the layers and config a registry lacks (HEAD first, then POST + monolithic PUT), then
/// PUTs the manifest under the tag, and records the repository digest the registry now knows the image by.
/// </summary>
public sealed class ImagePusher(ImageService images, RegistryCredentialStore? credentials, HttpMessageHandler? handler = null)
{
    /// <summary>Pushes the local image <paramref name="name"/> (repository[:tag]); returns the manifest digest.</summary>
    public async Task<Digest> PushAsync(string name, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var reference = ImageReference.ParseNormalized(name);
        if (reference.Digest is not null)
            throw new InvalidArgumentException($"push: name a tag, not a digest: {name}");
        var image = await images.InspectAsync(reference.ToString(), cancellationToken);
        var (manifest, mediaType, digest) = await ImageManifests.ForImageAsync(image, images.Content, cancellationToken);
        using var registry = new RegistryClient(reference.RegistryHost, images.Options, credentials, handler);
        progress?.Report(new ImageProgress(reference.Tag!, $"The push refers to repository [{reference.FamiliarRepository}]"));

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
            await registry.UploadBlobAsync(reference.Path, blob, () => images.Content.OpenRead(blob), size, cancellationToken);
            progress?.Report(new ImageProgress(id, "Pushed", size, size));
        }
        await registry.PutManifestAsync(reference.Path, reference.Tag!, manifest, mediaType, cancellationToken);
        await images.Content.WriteBytesAsync(manifest, cancellationToken);
        await images.AddRepoDigestAsync(image.Id, reference.WithDigest(digest), cancellationToken);
        progress?.Report(new ImageProgress("", $"{reference.Tag}: digest: {digest} size: {manifest.Length}"));
        return digest;
    }
}
