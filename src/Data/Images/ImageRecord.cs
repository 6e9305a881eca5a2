namespace WebEngine.Data.Images;

/// <summary>An image: its id is the digest of its config blob.</summary>
public sealed class ImageRecord
{
    public required string Id { get; set; }

    /// <summary>The image config JSON exactly as stored in the content store (Env, Cmd, history, rootfs...).</summary>
    public required string ConfigJson { get; set; }

    /// <summary>Digest of the manifest the image came with or was last pushed as; null for imports.</summary>
    public string? ManifestDigest { get; set; }

    /// <summary>Sum of the uncompressed layer sizes.</summary>
    public long Size { get; set; }

    public DateTime CreatedUtc { get; set; }

    public DateTime LoadedUtc { get; set; }

    public List<ImageLayerRecord> Layers { get; set; } = [];

    public List<ImageTagRecord> Tags { get; set; } = [];

    public List<ImageDigestRecord> Digests { get; set; } = [];
}
