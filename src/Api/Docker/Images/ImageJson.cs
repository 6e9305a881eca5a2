using System.Text.Json.Serialization;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Api.Docker;

/// <summary>One row of `GET /images/json` (Docker's ImageSummary).</summary>
public sealed record ImageSummaryJson(
    string Id,
    string ParentId,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> RepoDigests,
    long Created,
    long Size,
    long SharedSize,
    IReadOnlyDictionary<string, string> Labels,
    long Containers)
{
    public static ImageSummaryJson From(ImageDetails image, IReadOnlyList<string>? repoTags = null, IReadOnlyList<string>? repoDigests = null,
        long sharedSize = -1, long containers = -1) => new(
        image.Id, "", repoTags ?? image.RepoTags, repoDigests ?? image.RepoDigests, new DateTimeOffset(image.Created).ToUnixTimeSeconds(), image.Size, sharedSize,
        image.Config.Config?.Labels ?? new Dictionary<string, string>(), containers);
}

/// <summary>`GET /images/{name}/json` (Docker's ImageInspect).</summary>
public sealed record ImageInspectJson(
    string Id,
    IReadOnlyList<string> RepoTags,
    IReadOnlyList<string> RepoDigests,
    string Parent,
    string Comment,
    string Created,
    string DockerVersion,
    string Author,
    ContainerConfig Config,
    string Architecture,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Variant,
    string Os,
    long Size,
    GraphDriverJson GraphDriver,
    RootFsJson RootFS,
    ImageMetadataJson Metadata)
{
    public static ImageInspectJson From(ImageDetails image, Func<string, string> diffPathOfChain) => new(
        image.Id,
        image.RepoTags,
        image.RepoDigests,
        "",
        image.Config.History?.LastOrDefault()?.Comment ?? "",
        DockerTime.Format(image.Created),
        "",
        image.Config.Author ?? "",
        image.Config.Config ?? new ContainerConfig(),
        image.Config.Architecture,
        image.Config.Variant,
        image.Config.Os,
        image.Size,
        new GraphDriverJson("overlay2", new Dictionary<string, string>
        {
            ["LowerDir"] = string.Join(':', image.Layers.Select(l => diffPathOfChain(l.ChainId)).Reverse()),
        }),
        new RootFsJson("layers", image.Layers.Select(l => l.DiffId).ToList()),
        new ImageMetadataJson(null));
}

public sealed record GraphDriverJson(string Name, IReadOnlyDictionary<string, string> Data);

public sealed record RootFsJson(string Type, IReadOnlyList<string> Layers);

public sealed record ImageMetadataJson(string? LastTagTime);

/// <summary>One row of `GET /images/{name}/history`, newest first.</summary>
public sealed record ImageHistoryJson(string Id, long Created, string CreatedBy, IReadOnlyList<string> Tags, long Size, string Comment)
{
    public static ImageHistoryJson From(ImageHistoryItem item) => new(
        item.Id, item.Created is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)).ToUnixTimeSeconds() : 0,
        item.CreatedBy, item.Tags, item.Size, item.Comment);
}

/// <summary>One line of `DELETE /images/{name}` and of prune's ImagesDeleted: a tag removed, or an image deleted.</summary>
public sealed record ImageDeleteJson(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Untagged,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Deleted)
{
    public static ImageDeleteJson From(ImageDeleteItem item) => new(item.Untagged, item.Deleted);
}

public sealed record ImagePruneJson(IReadOnlyList<ImageDeleteJson> ImagesDeleted, long SpaceReclaimed);

/// <summary>Docker's time format in JSON documents: RFC 3339 with nanoseconds, trailing zeros dropped (Go's RFC3339Nano).</summary>
public static class DockerTime
{
    public static string Format(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
        var text = utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return text + "Z";
    }
}
