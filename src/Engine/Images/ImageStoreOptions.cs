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

    /// <summary>The platform picked from multi-platform indexes.</summary>
    public string Architecture { get; init; } = "amd64";
}
