using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>The manifest an image is saved or pushed with.</summary>
internal static class ImageManifests
{
    /// <summary>
    /// The manifest the image came with when the store still has it (so a pushed image keeps its digest),
    /// otherwise an OCI manifest built from the recorded config and layer blobs.
    /// </summary>
    public static async Task<(byte[] Json, string MediaType, Digest Digest)> ForImageAsync(ImageDetails image, ContentStore content, CancellationToken cancellationToken)
    {
        if (image.ManifestDigest is { } stored && Digest.Parse(stored) is var storedDigest && content.Exists(storedDigest))
        {
            var json = await content.ReadAllBytesAsync(storedDigest, cancellationToken);
            var parsed = JsonSerializer.Deserialize(json, ImageJsonContext.Default.OciManifest);
            if (parsed is not null && parsed.Config.Digest == image.Id)
                return (json, parsed.MediaType ?? MediaTypes.OciManifest, storedDigest);
        }
        var configDigest = Digest.Parse(image.Id);
        var manifest = new OciManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = image.Id, Size = content.SizeOf(configDigest) },
            Layers = image.Layers.Select(l => new OciDescriptor { MediaType = ToOci(l.MediaType), Digest = l.BlobDigest, Size = l.BlobSize }).ToList(),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.OciManifest);
        return (bytes, MediaTypes.OciManifest, Digest.Of(bytes));
    }

    private static string ToOci(string mediaType) => mediaType switch
    {
        MediaTypes.DockerLayerGzip or MediaTypes.DockerForeignLayerGzip => MediaTypes.OciLayerGzip,
        _ => mediaType,
    };
}
