namespace WebEngine.Data.Images;

/// <summary>A normalized repository:tag (docker.io/library/busybox:latest) pointing at one image.</summary>
public sealed class ImageTagRecord
{
    public required string Reference { get; set; }

    public required string ImageId { get; set; }
}
