namespace WebEngine.Engine.Images;

/// <summary>Tells the image store which images containers use, so they are not removed or pruned under them.</summary>
public interface IImageUsage
{
    Task<IReadOnlySet<string>> GetImageIdsInUseAsync(CancellationToken cancellationToken);
}
