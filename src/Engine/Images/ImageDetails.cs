using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images;

/// <summary>An image as the engine reports it (docker image inspect / docker images).</summary>
public sealed record ImageDetails(
    string Id,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> RepoDigests,
    DateTime Created,
    long Size,
    ImageConfig Config,
    IReadOnlyList<ImageLayerDetails> Layers,
    string? ManifestDigest);

/// <summary>One layer of an image, bottom first.</summary>
public sealed record ImageLayerDetails(string DiffId, string ChainId, string BlobDigest, string MediaType, long BlobSize, long Size);

/// <summary>One line of `docker image rm` output: a tag removed, or an image deleted.</summary>
public sealed record ImageDeleteItem(string? Untagged, string? Deleted);

/// <summary>One line of `docker history`, newest first; Id is "&lt;missing&gt;" below the top.</summary>
public sealed record ImageHistoryItem(string Id, DateTime? Created, string CreatedBy, long Size, string Comment, IReadOnlyList<string> Tags);

/// <summary>What prune removed and how many bytes of layers and blobs it freed.</summary>
public sealed record ImagePruneResult(IReadOnlyList<ImageDeleteItem> Deleted, long SpaceReclaimed);

/// <summary>Disk usage of the image store (docker system df).</summary>
public sealed record ImageDiskUsage(long LayersSize, long BlobsSize, IReadOnlyList<ImageDiskUsageItem> Images);

public sealed record ImageDiskUsageItem(string Id, IReadOnlyList<string> RepoTags, long Size, long SharedSize, bool InUse);
