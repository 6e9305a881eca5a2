namespace WebEngine.Data.Images;

/// <summary>One layer of an image, bottom first: the unpacked directory is found by its chain id.</summary>
public sealed class ImageLayerRecord
{
    public required string ImageId { get; set; }

    public int Position { get; set; }

    /// <summary>Digest of the uncompressed tar (the config's rootfs.diff_ids entry).</summary>
    public required string DiffId { get; set; }

    public required string ChainId { get; set; }

    /// <summary>Digest of the blob as distributed (possibly compressed), kept for save and push.</summary>
    public required string BlobDigest { get; set; }

    public required string MediaType { get; set; }

    public long BlobSize { get; set; }

    public long UnpackedSize { get; set; }
}
