using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker rename: the new name must be valid and free; a "rename" event carries the old name.</summary>
    public async Task RenameAsync(string idOrName, string newName, CancellationToken cancellationToken)
    {
        var name = ContainerName.Normalize(newName);
        var (_, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (record.Name == name)
                throw new ConflictException($"Renaming a container with the same name as its current name");
            await ReserveNameAsync(name, record.Id, cancellationToken);
            try
            {
                var oldName = record.Name;
                await _store.UpdateAsync(record.Id, r => r.Name = name, cancellationToken,
                    new ContainerEventSpec("rename", new Dictionary<string, string> { ["oldName"] = "/" + oldName }));
            }
            finally
            {
                await ReleaseNameAsync(name);
            }
        }
    }
}
