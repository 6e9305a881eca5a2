using WebEngine.Engine;
using WebEngine.Engine.Images;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker.Containers;

/// <summary>SizeRw (what the container wrote: its overlay upper dir) and SizeRootFs (that plus the image) for `ps -s` and `inspect -s`.</summary>
public static class ContainerSizes
{
    public static async Task<(long? SizeRw, long? SizeRootFs)> OfAsync(ContainerService containers, ImageService images, string id, string imageId,
        CancellationToken cancellationToken)
    {
        var sizeRw = containers.WrittenBytes(id);
        long imageSize;
        try
        {
            imageSize = (await images.InspectAsync(imageId, cancellationToken)).Size;
        }
        catch (NotFoundException)
        {
            imageSize = 0;
        }
        return (sizeRw, sizeRw + imageSize);
    }
}
