namespace WebEngine.Engine.Images;

/// <summary>Where images live and how registries are reached.</summary>
public sealed class ImageStoreOptions
{
    /// <summary>The daemon's data root: content/, layers/ and containers/ are below it.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Registry hosts (host or host:port) spoken to over plain HTTP; loopback registries always are.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>Copy layers into each container's rootfs instead of mounting overlayfs (for file systems without it).</summary>
    public bool ForceCopyRootfs { get; init; }

    /// <summary>How many layers a pull downloads at once (Docker's default is 3).</summary>
    public int MaxConcurrentDownloads { get; init; } = 3;

    /// <summary>How many bytes a push sends per PATCH of a chunked blob upload; a smaller blob goes in one PUT.</summary>
    public int PushChunkSize { get; init; } = 16 << 20;

    /// <summary>
    /// Bytes of temporary data one load, import or pull may write before its image is committed (0: no limit but the
    /// data root's free space, which always applies).
    /// </summary>
    public long StagingLimit { get; init; }

    /// <summary>The host's architecture: the platform picked from multi-platform indexes unless a pull names another.</summary>
    public string Architecture { get; init; } = "amd64";

    /// <summary>linux/<see cref="Architecture"/>, normalized.</summary>
    public ImagePlatform Platform => ImagePlatform.Of("linux", Architecture, null);
}
