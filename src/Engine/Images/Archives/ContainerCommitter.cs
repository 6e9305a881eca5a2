using System.IO.Pipelines;
using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Model;
using WebEngine.Engine.Images.Rootfs;

namespace WebEngine.Engine.Images.Archives;

/// <summary>What docker commit makes an image of: the container and its image, the new image's config, history line and names.</summary>
public sealed record ContainerCommitRequest(string ContainerId, string ImageId, ContainerConfig Config, string CreatedBy)
{
    public ImageReference? Tag { get; init; }
    public string? Comment { get; init; }
    public string? Author { get; init; }

    /// <summary>Container paths that are not changes: the engine's mount points (see <see cref="RootfsDiff.EngineMountPoints"/>).</summary>
    public IReadOnlyList<string> Excluded { get; init; } = RootfsDiff.EngineMountPoints;
}

/// <summary>
/// docker commit: the container's image layers plus one new layer, the tar of the container's changes, under a config
/// that is the image's with the given container config, one more diff id and a history entry. The layer is streamed
/// into the content store (within the staging budget) and unpacked as every layer is; when anything fails, what the
/// commit wrote and no image refers to is collected again.
/// </summary>
public sealed class ContainerCommitter(ImageService images)
{
    public async Task<ImageDetails> CommitAsync(ContainerCommitRequest request, CancellationToken cancellationToken)
    {
        var image = await images.InspectAsync(request.ImageId, cancellationToken);
        var diff = images.Rootfs.DiffOf(request.ContainerId, image, request.Excluded);
        var changes = await Task.Run(diff.Compute, cancellationToken);
        ImageDetails committed;
        var lease = await images.BeginIngestAsync(cancellationToken);
        try
        {
            var layer = await WriteLayerAsync(diff, changes, cancellationToken);
            var config = NewConfig(image.Config, request, layer.Digest);
            var configDigest = await images.Content.WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.ImageConfig), cancellationToken);
            var layers = image.Layers.Select(l => new OciDescriptor { MediaType = l.MediaType, Digest = l.BlobDigest, Size = l.BlobSize }).Append(layer).ToList();
            committed = await images.CommitAsync(configDigest, layers, null, request.Tag is { } tag ? [tag] : [], null, cancellationToken);
        }
        catch
        {
            lease.Dispose();
            await images.CollectGarbageAsync(CancellationToken.None);
            throw;
        }
        lease.Dispose();
        if (request.Tag is { } name)
            await images.PublishEventAsync("tag", committed.Id, name.ToFamiliarString(), cancellationToken);
        return committed;
    }

    /// <summary>The layer tar, written through a pipe straight into the content store: its digest is its diff id.</summary>
    private async Task<OciDescriptor> WriteLayerAsync(RootfsDiff diff, IReadOnlyList<LayerChange> changes, CancellationToken cancellationToken)
    {
        var budget = new StagingBudget(images.Options, "commit");
        var pipe = new Pipe();
        var producer = Task.Run(async () =>
        {
            try
            {
                await using (var output = pipe.Writer.AsStream(leaveOpen: true))
                    await ContainerLayerTar.WriteAsync(diff, changes, output, cancellationToken);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }, cancellationToken);
        Digest blob;
        try
        {
            await using var input = pipe.Reader.AsStream();
            blob = await images.Content.WriteAsync(input, null, null, cancellationToken, budget.CountWrittenTotals());
        }
        catch
        {
            // The producer stops at its next write (the reader is gone); the consumer's error is the one to report.
            await pipe.Reader.CompleteAsync();
            await producer.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        await producer;
        return new OciDescriptor { MediaType = MediaTypes.OciLayer, Digest = blob.ToString(), Size = images.Content.SizeOf(blob) };
    }

    private static ImageConfig NewConfig(ImageConfig parent, ContainerCommitRequest request, string diffId)
    {
        var now = DateTime.UtcNow;
        var extra = parent.Extra is null ? null : new Dictionary<string, JsonElement>(parent.Extra);
        // The parent's record of the container it was committed from describes that one, not this.
        extra?.Remove("container");
        extra?.Remove("container_config");
        return new ImageConfig
        {
            Created = now,
            Author = string.IsNullOrEmpty(request.Author) ? null : request.Author,
            Architecture = parent.Architecture,
            Os = parent.Os,
            Variant = parent.Variant,
            Config = request.Config,
            Rootfs = new ImageRootfs { DiffIds = [.. parent.Rootfs.DiffIds, diffId] },
            History =
            [
                .. parent.History ?? [],
                new ImageHistoryEntry
                {
                    Created = now,
                    CreatedBy = request.CreatedBy,
                    Author = string.IsNullOrEmpty(request.Author) ? null : request.Author,
                    Comment = string.IsNullOrEmpty(request.Comment) ? null : request.Comment,
                },
            ],
            Extra = extra,
        };
    }
}
