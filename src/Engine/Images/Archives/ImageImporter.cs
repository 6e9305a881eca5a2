using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>docker import: a root file system tar (plain, gzip or zstd) becomes a one-layer image.</summary>
public sealed class ImageImporter(ImageService images)
{
    public async Task<ImageDetails> ImportAsync(Stream rootfsTar, string? reference, IReadOnlyList<string> changes, string? message,
        CancellationToken cancellationToken)
    {
        var tag = string.IsNullOrEmpty(reference) ? null : ImageReference.ParseNormalized(reference);
        if (tag?.Digest is not null)
            throw new InvalidArgumentException($"import: cannot tag with a digest reference: {reference}");
        var containerConfig = new ContainerConfig();
        ImageChanges.Apply(containerConfig, changes);

        using var lease = await images.BeginIngestAsync(cancellationToken);
        var budget = new StagingBudget(images.Options, "image import");
        var blob = await images.Content.WriteAsync(rootfsTar, null, null, cancellationToken, budget.CountWrittenTotals());
        Digest diffId;
        string mediaType;
        await using (var file = images.Content.OpenRead(blob))
        {
            mediaType = LayerCompression.MediaTypeOf(file);
            await using var hashing = new HashingStream(LayerCompression.OpenDecompressed(file));
            try
            {
                diffId = await hashing.DrainAndGetDigestAsync(cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
            {
                throw new InvalidArgumentException($"import: the archive is corrupt: {e.Message}", e);
            }
        }
        var now = DateTime.UtcNow;
        var config = new ImageConfig
        {
            Created = now,
            Architecture = images.Options.Architecture,
            Os = "linux",
            Config = containerConfig,
            Rootfs = new ImageRootfs { DiffIds = [diffId.ToString()] },
            History = [new ImageHistoryEntry { Created = now, CreatedBy = "", Comment = string.IsNullOrEmpty(message) ? "Imported from -" : message }],
        };
        var configDigest = await images.Content.WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.ImageConfig), cancellationToken);
        var layer = new OciDescriptor { MediaType = mediaType, Digest = blob.ToString(), Size = images.Content.SizeOf(blob) };
        var image = await images.CommitAsync(configDigest, [layer], null, tag is null ? [] : [tag], null, cancellationToken);
        await images.PublishEventAsync("import", image.Id, image.RepoTags.FirstOrDefault() ?? image.Id, cancellationToken);
        return image;
    }
}
