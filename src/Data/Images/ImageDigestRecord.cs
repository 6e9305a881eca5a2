namespace WebEngine.Data.Images;

/// <summary>A normalized repository@digest (the manifest digest a registry knows the image by).</summary>
public sealed class ImageDigestRecord
{
    public required string Reference { get; set; }

    public required string ImageId { get; set; }
}
