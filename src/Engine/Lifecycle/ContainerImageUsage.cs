using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Containers;
using WebEngine.Engine.Images;

namespace WebEngine.Engine.Lifecycle;

/// <summary>The images containers were created from, so the image store keeps them (every container, running or not).</summary>
public sealed class ContainerImageUsage(WebEngineDatabase database) : IImageUsage
{
    public async Task<IReadOnlySet<string>> GetImageIdsInUseAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var ids = await db.Set<ContainerRecord>().Select(c => c.ImageId).Distinct().ToListAsync(cancellationToken);
        return ids.ToHashSet(StringComparer.Ordinal);
    }
}
