using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Images;
using WebEngine.Engine.Events;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;
using WebEngine.Engine.Images.Model;
using WebEngine.Engine.Images.Rootfs;

namespace WebEngine.Engine.Images;

/// <summary>
/// The image records in SQLite and the blobs and layers behind them: resolve, inspect, tag, untag, remove,
/// prune, history, disk usage; and the one place a verified image becomes visible (<see cref="CommitAsync"/>).
/// </summary>
public sealed class ImageService
{
    private readonly WebEngineDatabase _database;
    private readonly IImageUsage? _usage;
    private readonly EventLog? _events;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _activeIngests;

    /// <param name="usage">Images the engine's containers use beyond those with a prepared rootfs (optional).</param>
    /// <param name="events">Where image events (pull, push, load, import, save, tag, untag, delete) go (optional).</param>
    public ImageService(ImageStoreOptions options, WebEngineDatabase database, IImageUsage? usage = null, EventLog? events = null)
    {
        Options = options;
        _database = database;
        _usage = usage;
        _events = events;
        Content = new ContentStore(options.DataRoot);
        Layers = new LayerStore(options.DataRoot);
        Layers.RemoveLeftovers();
        Rootfs = new ContainerRootfs(options, Layers);
    }

    public ImageStoreOptions Options { get; }
    public ContentStore Content { get; }
    public LayerStore Layers { get; }
    public ContainerRootfs Rootfs { get; }

    /// <summary>
    /// Marks a load, import or pull in progress until disposed: its blobs and layers are not referenced by any
    /// record yet, so garbage collection waits until no ingest is running.
    /// </summary>
    internal async Task<IDisposable> BeginIngestAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _activeIngests);
        _writeLock.Release();
        return new IngestLease(this);
    }

    private sealed class IngestLease(ImageService owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Interlocked.Decrement(ref owner._activeIngests);
        }
    }

    /// <summary>Builds the container's rootfs from the image and returns its path (containers/&lt;id&gt;/rootfs).</summary>
    public async Task<string> PrepareRootfsAsync(string containerId, string imageNameOrId, CancellationToken cancellationToken) =>
        await PrepareRootfsAsync(containerId, await InspectAsync(imageNameOrId, cancellationToken), cancellationToken);

    /// <summary>As the overload by name, for an image the caller has just inspected (docker create: no second lookup).</summary>
    public async Task<string> PrepareRootfsAsync(string containerId, ImageDetails image, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return await Rootfs.PrepareAsync(containerId, image, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>docker diff: the changes of the container's rootfs against <paramref name="imageId"/>, its image (the engine's mount points left out).</summary>
    public async Task<IReadOnlyList<RootfsChange>> RootfsChangesAsync(string containerId, string imageId, CancellationToken cancellationToken)
    {
        var diff = Rootfs.DiffOf(containerId, await InspectAsync(imageId, cancellationToken), RootfsDiff.EngineMountPoints);
        var changes = await Task.Run(diff.Compute, cancellationToken);
        return changes.Select(c => new RootfsChange(c.Path, c.Kind)).ToList();
    }

    public Task ReleaseRootfsAsync(string containerId, CancellationToken cancellationToken) =>
        Rootfs.ReleaseAsync(containerId, cancellationToken);

    /// <summary>Publishes an image event in Docker's shape: Actor.ID is the image id (a reference for pull and push), "name" the reference.</summary>
    internal async Task PublishEventAsync(string action, string actorId, string name, CancellationToken cancellationToken)
    {
        if (_events is not null)
            await _events.PublishAsync(EventTypes.Image, action, actorId, new Dictionary<string, string> { ["name"] = name }, cancellationToken);
    }

    /// <summary>docker save reports each image it wrote.</summary>
    public Task PublishSaveEventAsync(ImageDetails image, CancellationToken cancellationToken) =>
        PublishEventAsync("save", image.Id, image.RepoTags.FirstOrDefault() ?? image.Id, cancellationToken);

    /// <summary>Images with a container rootfs, plus what the engine reports.</summary>
    public async Task<IReadOnlySet<string>> GetImageIdsInUseAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(Rootfs.ImagesInUse(), StringComparer.Ordinal);
        if (_usage is not null)
            ids.UnionWith(await _usage.GetImageIdsInUseAsync(cancellationToken));
        return ids;
    }

    /// <summary>
    /// Unpacks (or reuses) the layers of an image whose config and layer blobs are already in the content store,
    /// then records it with its tags. Nothing is recorded unless every layer was verified against its diff id.
    /// </summary>
    internal async Task<ImageDetails> CommitAsync(Digest configDigest, IReadOnlyList<OciDescriptor> layers, Digest? manifestDigest,
        IReadOnlyCollection<ImageReference> tags, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var configJson = await Content.ReadAllBytesAsync(configDigest, cancellationToken);
        var config = ParseConfig(configJson, configDigest);
        if (config.Rootfs.DiffIds.Count != layers.Count)
            throw new InvalidArgumentException($"image {configDigest}: the config lists {config.Rootfs.DiffIds.Count} layers (diff_ids), the manifest {layers.Count}");
        var diffIds = config.Rootfs.DiffIds.Select(Digest.Parse).ToList();
        var chainIds = ChainId.Compute(diffIds);
        var sizes = new long[layers.Count];
        using var unpackSlots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount), Math.Max(1, Environment.ProcessorCount));
        await Task.WhenAll(layers.Select(async (layer, i) =>
        {
            var blob = Digest.Parse(layer.Digest);
            var id = ImageProgress.ShortId(layer.Digest);
            await unpackSlots.WaitAsync(cancellationToken);
            try
            {
                if (!Layers.Exists(chainIds[i]))
                    progress?.Report(new ImageProgress(id, "Extracting", 0, layer.Size));
                sizes[i] = await Layers.EnsureUnpackedAsync(chainIds[i], diffIds[i], () => Content.OpenRead(blob), cancellationToken);
                progress?.Report(new ImageProgress(id, "Pull complete", layer.Size, layer.Size));
            }
            finally
            {
                unpackSlots.Release();
            }
        }));

        var imageId = configDigest.ToString();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var record = await db.Images.Include(i => i.Layers).FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken);
            if (record is null)
            {
                record = new ImageRecord
                {
                    Id = imageId,
                    ConfigJson = System.Text.Encoding.UTF8.GetString(configJson),
                    CreatedUtc = config.Created?.ToUniversalTime() ?? DateTime.UnixEpoch,
                    LoadedUtc = DateTime.UtcNow,
                    Size = sizes.Sum(),
                    Layers = layers.Select((layer, i) => new ImageLayerRecord
                    {
                        ImageId = imageId,
                        Position = i,
                        DiffId = diffIds[i].ToString(),
                        ChainId = chainIds[i].ToString(),
                        BlobDigest = layer.Digest,
                        MediaType = layer.MediaType,
                        BlobSize = layer.Size,
                        UnpackedSize = sizes[i],
                    }).ToList(),
                };
                db.Images.Add(record);
            }
            if (manifestDigest is { } manifest)
                record.ManifestDigest = manifest.ToString();
            foreach (var tag in tags)
            {
                if (tag.Digest is { } digest)
                    await PointDigestAsync(db, tag.Repository + "@" + digest, imageId, cancellationToken);
                else
                    await PointTagAsync(db, tag.ToString(), imageId, cancellationToken);
            }
            await _database.SaveChangesAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        return await InspectAsync(imageId, cancellationToken);
    }

    public async Task<IReadOnlyList<ImageDetails>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var records = await db.Images.AsNoTracking().Include(i => i.Layers).Include(i => i.Tags).Include(i => i.Digests)
            .ToListAsync(cancellationToken);
        return records.OrderByDescending(r => r.CreatedUtc).Select(ToDetails).ToList();
    }

    public async Task<ImageDetails> InspectAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var id = await ResolveIdAsync(nameOrId, cancellationToken);
        await using var db = _database.CreateContext();
        var record = await db.Images.AsNoTracking().Include(i => i.Layers).Include(i => i.Tags).Include(i => i.Digests)
            .FirstAsync(i => i.Id == id, cancellationToken);
        return ToDetails(record);
    }

    /// <summary>Finds an image by reference (busybox, busybox:1, repo@sha256:...) or by full or short id.</summary>
    public async Task<string> ResolveIdAsync(string nameOrId, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        ImageReference? reference = null;
        try
        {
            reference = ImageReference.ParseNormalized(nameOrId);
        }
        catch (InvalidArgumentException) when (ImageReference.LooksLikeId(nameOrId))
        {
        }
        if (reference is not null && !nameOrId.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var key = reference.ToString();
            var hit = reference.Digest is { } digest
                ? await db.ImageDigests.Where(d => d.Reference == reference.Repository + "@" + digest).Select(d => d.ImageId).FirstOrDefaultAsync(cancellationToken)
                : await db.ImageTags.Where(t => t.Reference == key).Select(t => t.ImageId).FirstOrDefaultAsync(cancellationToken);
            if (hit is not null)
                return hit;
        }
        if (ImageReference.LooksLikeId(nameOrId))
        {
            var prefix = nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId : "sha256:" + nameOrId;
            var ids = await db.Images.Where(i => i.Id.StartsWith(prefix)).Select(i => i.Id).Take(2).ToListAsync(cancellationToken);
            if (ids.Count == 1)
                return ids[0];
            if (ids.Count > 1)
                throw new InvalidArgumentException($"image id prefix \"{nameOrId}\" is ambiguous");
        }
        throw new NotFoundException($"No such image: {nameOrId}");
    }

    /// <summary>docker tag: points <paramref name="target"/> (a repository[:tag]) at the image <paramref name="source"/> names.</summary>
    public async Task TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        var id = await ResolveIdAsync(source, cancellationToken);
        var reference = ImageReference.ParseNormalized(target);
        if (reference.Digest is not null)
            throw new InvalidArgumentException($"refusing to create a tag with a digest reference: {target}");
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            await PointTagAsync(db, reference.ToString(), id, cancellationToken);
            await _database.SaveChangesAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        await PublishEventAsync("tag", id, reference.ToFamiliarString(), cancellationToken);
    }

    /// <summary>Records that a registry knows the image as repository@digest (after a push).</summary>
    internal async Task AddRepoDigestAsync(string imageId, ImageReference reference, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            await PointDigestAsync(db, reference.Repository + "@" + reference.Digest, imageId, cancellationToken);
            await _database.SaveChangesAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// docker image rm: a reference is untagged, and the image deleted once nothing names it; an id deletes the
    /// image (with force even when several tags name it). An image a container uses is only ever untagged.
    /// </summary>
    public async Task<IReadOnlyList<ImageDeleteItem>> RemoveAsync(string nameOrId, bool force, CancellationToken cancellationToken)
    {
        var id = await ResolveIdAsync(nameOrId, cancellationToken);
        var inUse = (await GetImageIdsInUseAsync(cancellationToken)).Contains(id);
        var result = new List<ImageDeleteItem>();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var record = await db.Images.Include(i => i.Tags).Include(i => i.Digests).FirstAsync(i => i.Id == id, cancellationToken);
            var byId = ImageReference.LooksLikeId(nameOrId) && id.StartsWith(nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId : "sha256:" + nameOrId, StringComparison.Ordinal);
            if (!byId)
            {
                var reference = ImageReference.ParseNormalized(nameOrId);
                var tag = record.Tags.FirstOrDefault(t => t.Reference == reference.ToString());
                var digest = record.Digests.FirstOrDefault(d => d.Reference == reference.ToString());
                if (tag is not null)
                {
                    record.Tags.Remove(tag);
                    db.ImageTags.Remove(tag);
                    result.Add(new ImageDeleteItem(reference.ToFamiliarString(), null));
                }
                if (digest is not null)
                {
                    record.Digests.Remove(digest);
                    db.ImageDigests.Remove(digest);
                    result.Add(new ImageDeleteItem(reference.ToFamiliarString(), null));
                }
                if (result.Count == 0)
                    throw new NotFoundException($"No such image: {nameOrId}");
                if (inUse && record.Tags.Count == 0 && !force)
                    throw new ConflictException($"conflict: unable to remove repository reference \"{nameOrId}\" (must force) - container is using its referenced image {Short(id)}");
                if (record.Tags.Count > 0 || inUse)
                {
                    await _database.SaveChangesAsync(db, cancellationToken);
                    await PublishDeleteEventsAsync(id, result, cancellationToken);
                    return result;
                }
            }
            else
            {
                if (record.Tags.Count > 1 && !force)
                    throw new ConflictException($"conflict: unable to delete {Short(id)} (must be forced) - image is referenced in multiple repositories");
                if (inUse && !force)
                    throw new ConflictException($"conflict: unable to delete {Short(id)} (cannot be forced) - image is being used by a container");
            }
            foreach (var tag in record.Tags.ToList())
            {
                db.ImageTags.Remove(tag);
                result.Add(new ImageDeleteItem(ImageReference.Parse(tag.Reference).ToFamiliarString(), null));
            }
            foreach (var digest in record.Digests.ToList())
            {
                db.ImageDigests.Remove(digest);
                result.Add(new ImageDeleteItem(ImageReference.Parse(digest.Reference).ToFamiliarString(), null));
            }
            if (!inUse)
            {
                db.Images.Remove(record);
                result.Add(new ImageDeleteItem(null, id));
            }
            await _database.SaveChangesAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        await PublishDeleteEventsAsync(id, result, cancellationToken);
        await CollectGarbageAsync(cancellationToken);
        return result;
    }

    private async Task PublishDeleteEventsAsync(string id, IEnumerable<ImageDeleteItem> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
            await PublishEventAsync(item.Untagged is null ? "delete" : "untag", item.Deleted ?? id, item.Untagged ?? id, cancellationToken);
    }

    /// <summary>docker image prune: deletes every image without a tag that no container uses.</summary>
    public Task<ImagePruneResult> PruneDanglingAsync(CancellationToken cancellationToken) => PruneAsync(all: false, null, cancellationToken);

    /// <summary>
    /// docker image prune [-a]: deletes the images no container uses that have no tag (with <paramref name="all"/>,
    /// tagged ones too), among those <paramref name="matches"/> selects (the API's until and label filters).
    /// </summary>
    public async Task<ImagePruneResult> PruneAsync(bool all, Func<ImageDetails, bool>? matches, CancellationToken cancellationToken)
    {
        var inUse = await GetImageIdsInUseAsync(cancellationToken);
        var deleted = new List<ImageDeleteItem>();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var candidates = await db.Images.Include(i => i.Layers).Include(i => i.Tags).Include(i => i.Digests)
                .Where(i => all || !i.Tags.Any()).ToListAsync(cancellationToken);
            foreach (var record in candidates.Where(r => !inUse.Contains(r.Id) && (matches is null || matches(ToDetails(r)))))
            {
                deleted.AddRange(record.Tags.Select(t => new ImageDeleteItem(ImageReference.Parse(t.Reference).ToFamiliarString(), null)));
                deleted.AddRange(record.Digests.Select(d => new ImageDeleteItem(ImageReference.Parse(d.Reference).ToFamiliarString(), null)));
                db.Images.Remove(record);
                deleted.Add(new ImageDeleteItem(null, record.Id));
            }
            await _database.SaveChangesAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        foreach (var item in deleted)
            await PublishEventAsync(item.Untagged is null ? "delete" : "untag", item.Deleted ?? "", item.Untagged ?? item.Deleted ?? "", cancellationToken);
        var reclaimed = await CollectGarbageAsync(cancellationToken);
        if (_events is not null)
            await _events.PublishPruneAsync(EventTypes.Image, reclaimed, cancellationToken);
        return new ImagePruneResult(deleted, reclaimed);
    }

    public async Task<IReadOnlyList<ImageHistoryItem>> HistoryAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var image = await InspectAsync(nameOrId, cancellationToken);
        var history = image.Config.History ?? [];
        var items = new List<ImageHistoryItem>();
        var layer = 0;
        foreach (var entry in history)
        {
            var size = entry.EmptyLayer == true || layer >= image.Layers.Count ? 0 : image.Layers[layer++].Size;
            items.Add(new ImageHistoryItem("<missing>", entry.Created, entry.CreatedBy ?? "", size, entry.Comment ?? "", []));
        }
        if (items.Count == 0)
            items.Add(new ImageHistoryItem("<missing>", image.Created, "", image.Size, "", []));
        items.Reverse();
        items[0] = items[0] with { Id = image.Id, Tags = image.RepoTags };
        return items;
    }

    public async Task<ImageDiskUsage> DiskUsageAsync(CancellationToken cancellationToken)
    {
        var images = await ListAsync(cancellationToken);
        var inUse = await GetImageIdsInUseAsync(cancellationToken);
        var chainUsers = images.SelectMany(i => i.Layers.Select(l => l.ChainId).Distinct()).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var items = images.Select(i => new ImageDiskUsageItem(i.Id, i.RepoTags, i.Size,
            i.Layers.Where(l => chainUsers[l.ChainId] > 1).Sum(l => l.Size), inUse.Contains(i.Id))).ToList();
        var layersSize = Layers.List().Sum(c => Layers.SizeOf(c));
        var blobsSize = Content.List().Sum(b => b.Size);
        return new ImageDiskUsage(layersSize, blobsSize, items);
    }

    /// <summary>Deletes layers and blobs no image record refers to any more; returns the bytes freed.</summary>
    internal async Task<long> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            // Blobs of an ingest in progress are not referenced yet; collect on a later remove or prune.
            if (Volatile.Read(ref _activeIngests) > 0)
                return 0;
            await using var db = _database.CreateContext();
            var layerRows = await db.ImageLayers.AsNoTracking().Select(l => new { l.ChainId, l.BlobDigest }).ToListAsync(cancellationToken);
            var images = await db.Images.AsNoTracking().Select(i => new { i.Id, i.ManifestDigest }).ToListAsync(cancellationToken);
            var liveChains = layerRows.Select(l => l.ChainId).ToHashSet();
            var liveBlobs = layerRows.Select(l => l.BlobDigest).Concat(images.Select(i => i.Id))
                .Concat(images.Select(i => i.ManifestDigest).OfType<string>()).ToHashSet();
            long freed = 0;
            foreach (var chain in Layers.List().Where(c => !liveChains.Contains(c.ToString())).ToList())
            {
                freed += Layers.SizeOf(chain);
                Layers.Delete(chain);
            }
            foreach (var (digest, size) in Content.List().Where(b => !liveBlobs.Contains(b.Digest.ToString())).ToList())
            {
                freed += size;
                Content.Delete(digest);
            }
            return freed;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static async Task PointTagAsync(WebEngineDbContext db, string reference, string imageId, CancellationToken cancellationToken)
    {
        var existing = await db.ImageTags.FirstOrDefaultAsync(t => t.Reference == reference, cancellationToken);
        if (existing is null)
            db.ImageTags.Add(new ImageTagRecord { Reference = reference, ImageId = imageId });
        else
            existing.ImageId = imageId;
    }

    private static async Task PointDigestAsync(WebEngineDbContext db, string reference, string imageId, CancellationToken cancellationToken)
    {
        var existing = await db.ImageDigests.FirstOrDefaultAsync(d => d.Reference == reference, cancellationToken);
        if (existing is null)
            db.ImageDigests.Add(new ImageDigestRecord { Reference = reference, ImageId = imageId });
        else
            existing.ImageId = imageId;
    }

    internal static ImageConfig ParseConfig(byte[] json, Digest digest)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ImageJsonContext.Default.ImageConfig)
                ?? throw new InvalidArgumentException($"image config {digest} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"image config {digest} is not valid JSON: {e.Message}", e);
        }
    }

    private static ImageDetails ToDetails(ImageRecord record) => new(
        record.Id,
        record.Tags.Select(t => ImageReference.Parse(t.Reference).ToFamiliarString()).Order(StringComparer.Ordinal).ToList(),
        record.Digests.Select(d => ImageReference.Parse(d.Reference).ToFamiliarString()).Order(StringComparer.Ordinal).ToList(),
        DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc),
        record.Size,
        ParseConfig(System.Text.Encoding.UTF8.GetBytes(record.ConfigJson), Digest.Parse(record.Id)),
        record.Layers.OrderBy(l => l.Position).Select(l => new ImageLayerDetails(l.DiffId, l.ChainId, l.BlobDigest, l.MediaType, l.BlobSize, l.UnpackedSize)).ToList(),
        record.ManifestDigest);

    private static string Short(string id) => id.Length > 19 ? id[7..19] : id;
}
