using WebEngine.Engine.Networks;

namespace WebEngine.Engine.Lifecycle;

public sealed partial class ContainerService
{
    /// <summary>docker network connect: a running container gets its interface on the network at once, a stopped one at its next start.</summary>
    public async Task ConnectNetworkAsync(string network, string idOrName, EndpointConfig config, CancellationToken cancellationToken)
    {
        var (entry, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
        {
            if (ContainerStore.HostConfig(record).NetworkContainer is not null)
                throw new ConflictException($"container {record.Name} shares the network namespace of another container and cannot be connected to a network");
            if (ContainerStore.Status(record) is ContainerStatus.Removing or ContainerStatus.Dead)
                throw new ConflictException($"container {record.Id} is {ContainerStatusNames.ToDocker(ContainerStore.Status(record))}");
            var running = entry.Run is not null && ContainerStatusNames.HasProcess(ContainerStore.Status(record));
            await _networks.ConnectAsync(network, NetworkIdentity(record.Id, record.Name, ContainerStore.Config(record)), config, running, cancellationToken);
        }
    }

    /// <summary>docker network disconnect: the container's interface on the network goes (when it runs), and so does the connection.</summary>
    public async Task DisconnectNetworkAsync(string network, string idOrName, CancellationToken cancellationToken)
    {
        var (_, record, scope) = await LockAsync(idOrName, cancellationToken);
        using (scope)
            await _networks.DisconnectAsync(network, record.Id, cancellationToken);
    }
}
