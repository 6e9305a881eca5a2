using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Networks;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks.Kernel;

namespace WebEngine.Engine.Networks;

public sealed partial class NetworkService
{
    /// <summary>
    /// docker create: checks the network mode and the extra endpoints, and records the container's connections (no
    /// kernel work until it starts). NetworkMode "container:…" makes none: the container uses another's namespace.
    /// </summary>
    public async Task AttachAsync(ContainerNetworkIdentity container, HostConfig host, IReadOnlyDictionary<string, EndpointConfig> endpoints,
        CancellationToken cancellationToken)
    {
        if (host.NetworkContainer is not null)
        {
            if (endpoints.Count > 0)
                throw new InvalidArgumentException("conflicting options: a container that shares another's network cannot be connected to networks");
            return;
        }
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var primary = await FindAsync(db, host.NetworkMode is "" or "default" ? DefaultNetwork : host.NetworkMode, cancellationToken);
            var wanted = new List<(NetworkRecord Network, EndpointConfig Config)> { (primary, new EndpointConfig()) };
            foreach (var (key, config) in endpoints)
            {
                // The docker CLI names the daemon's default network "default".
                var network = await FindAsync(db, key == "default" ? DefaultNetwork : key, cancellationToken);
                var index = wanted.FindIndex(w => w.Network.Id == network.Id);
                if (index >= 0)
                    wanted[index] = (network, config);
                else
                    wanted.Add((network, config));
            }
            if (wanted.Count > 1 && wanted.FirstOrDefault(w => w.Network.Driver != "bridge") is { Network: { } special })
                throw new InvalidArgumentException($"container cannot be connected to network {special.Name} and to other networks");
            var position = 0;
            foreach (var (network, config) in wanted)
            {
                CheckEndpointConfig(network, config);
                db.Add(NewEndpoint(container, network, config, position++));
            }
            await _events.CommitAsync(db, cancellationToken);
        }
        finally
        {
            Unlock();
        }
    }

    private static NetworkEndpointRecord NewEndpoint(ContainerNetworkIdentity container, NetworkRecord network, EndpointConfig config, long position) => new()
    {
        NetworkId = network.Id, ContainerId = container.ContainerId, ContainerName = container.Name, Hostname = container.Hostname,
        AliasesJson = JsonSerializer.Serialize(config.Aliases), RequestedAddress = config.IPv4Address,
        RequestedMacAddress = config.MacAddress.Length > 0 ? MacAddresses.Normalize(config.MacAddress) : "", Position = position,
    };

    private static void CheckEndpointConfig(NetworkRecord network, EndpointConfig config)
    {
        if (config.MacAddress.Length > 0)
        {
            if (network.Driver != "bridge")
                throw new InvalidArgumentException($"conflicting options: mac-address and the network mode {network.Name}");
            MacAddresses.Normalize(config.MacAddress);
        }
        var userDefined = network.Driver == "bridge" && network.Name != DefaultNetwork;
        if (config.Aliases.Count > 0 && !userDefined)
            throw new InvalidArgumentException("network-scoped alias is supported only for containers in user defined networks");
        if (config.IPv4Address.Length == 0)
            return;
        if (!userDefined || !network.SubnetGiven)
            throw new InvalidArgumentException("user specified IP address is supported only when connecting to networks with user configured subnets");
        var subnet = Subnet.Parse(network.Subnet);
        if (!IPAddress.TryParse(config.IPv4Address, out var address) || !subnet.Contains(address))
            throw new InvalidArgumentException($"invalid IPv4 address {config.IPv4Address}: it is not in the subnet {network.Subnet} of network {network.Name}");
        var index = subnet.IndexOf(address);
        if (index == 0 || index == subnet.Size - 1 || address.ToString() == network.Gateway)
            throw new InvalidArgumentException($"invalid IPv4 address {config.IPv4Address}: it is the network, broadcast or gateway address of {network.Name}");
    }

    /// <summary>
    /// Before the container's process starts: its network namespace, a veth pair into each of its bridge networks with
    /// an address (the first carries the default route), its published ports, and the /etc/hosts entries of it and of
    /// its peers. On the host's network nothing is made (ports are not published there, as in Docker). As in Docker,
    /// every network the container is on gets an endpoint and a connect event, none and host included (an endpoint
    /// without an address there), and loses both when the container stops. What a failure leaves is taken down again.
    /// </summary>
    public async Task SetUpAsync(ContainerNetworkIdentity container, IReadOnlyList<PortRequest> ports, CancellationToken cancellationToken)
    {
        List<(NetworkEndpointRecord Endpoint, NetworkRecord Network)> endpoints;
        await using (var db = _database.CreateContext())
            endpoints = await EndpointsOfAsync(db, container.ContainerId, cancellationToken);
        if (endpoints.Count == 0)
            return;
        // The namespace is the container's alone (its own lock keeps its connects and disconnects out), so it is made
        // without the network lock: starts at once do not queue behind each other's namespaces.
        if (endpoints.All(e => e.Network.Driver != "host"))
            await Sandboxes.CreateAsync(SandboxName(container.ContainerId));
        await ConnectEndpointsAsync(container, ports, cancellationToken);
        foreach (var (_, network) in endpoints)
            await PublishAsync(network, "connect", CancellationToken.None, container.ContainerId);
    }

    /// <summary>
    /// The part of a start that changes what containers share: endpoints, addresses, veth pairs, published ports,
    /// hosts files.
    /// </summary>
    private async Task ConnectEndpointsAsync(ContainerNetworkIdentity container, IReadOnlyList<PortRequest> ports, CancellationToken cancellationToken)
    {
        try
        {
            await _lock.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Sandboxes.Delete(SandboxName(container.ContainerId));
            throw;
        }
        try
        {
            await using var db = _database.CreateContext();
            try
            {
                var endpoints = await EndpointsOfAsync(db, container.ContainerId, cancellationToken);
                var bridged = endpoints.Where(e => e.Network.Driver == "bridge").ToList();
                foreach (var (endpoint, network) in bridged)
                    await ConnectEndpointAsync(db, container, endpoint, network, defaultRoute: endpoint == bridged[0].Endpoint, cancellationToken);
                if (bridged.Count < endpoints.Count)
                {
                    foreach (var (endpoint, _) in endpoints.Where(e => e.Network.Driver != "bridge"))
                        endpoint.EndpointId = NewId();
                    await _events.CommitAsync(db, cancellationToken);
                }
                if (bridged.Count == 0)
                    return;
                if (ports.Count > 0)
                {
                    var existing = await db.Set<PublishedPortRecord>().AsNoTracking().ToListAsync(cancellationToken);
                    db.AddRange(HostPorts.Allocate(container.ContainerId, ports, existing, _options));
                    await _events.CommitAsync(db, cancellationToken);
                    await ApplyFirewallAsync(CancellationToken.None);
                }
                await RefreshHostsAsync(db, [container.ContainerId], cancellationToken);
            }
            catch
            {
                await TearDownLockedAsync(container.ContainerId);
                throw;
            }
        }
        finally
        {
            Unlock();
        }
    }

    /// <summary>Gives one endpoint its address, MAC, interface and veth pair inside the container's existing namespace.</summary>
    private async Task ConnectEndpointAsync(WebEngineDbContext db, ContainerNetworkIdentity container, NetworkEndpointRecord endpoint, NetworkRecord network,
        bool defaultRoute, CancellationToken cancellationToken)
    {
        var subnet = Subnet.Parse(network.Subnet);
        var address = await AllocateAddressAsync(db, network, subnet, endpoint, cancellationToken);
        var used = await db.Set<NetworkEndpointRecord>().Where(e => e.ContainerId == container.ContainerId && e.Interface != "")
            .Select(e => e.Interface).ToListAsync(cancellationToken);
        var interfaceName = Enumerable.Range(0, 64).Select(i => $"eth{i}").First(n => !used.Contains(n));
        var bytes = address.GetAddressBytes();
        endpoint.Address = address.ToString();
        endpoint.MacAddress = endpoint.RequestedMacAddress.Length > 0
            ? endpoint.RequestedMacAddress
            : $"02:42:{bytes[0]:x2}:{bytes[1]:x2}:{bytes[2]:x2}:{bytes[3]:x2}";
        endpoint.Interface = interfaceName;
        endpoint.HostDevice = HostDeviceName(network.Id, container.ContainerId);
        endpoint.EndpointId = NewId();
        endpoint.ContainerName = container.Name;
        endpoint.Hostname = container.Hostname;
        db.Update(endpoint);
        await _events.CommitAsync(db, cancellationToken);
        if (!BridgeDevices.Exists(network.Bridge))
            await BridgeDevices.EnsureAsync(network.Bridge, network.Gateway, subnet.PrefixLength);
        await Sandboxes.AddVethAsync(SandboxName(container.ContainerId), new VethSpec(endpoint.HostDevice, network.Bridge, interfaceName,
            endpoint.MacAddress, endpoint.Address, subnet.PrefixLength, defaultRoute && !network.Internal ? network.Gateway : null));
    }

    /// <summary>The requested address if it is free, else the lowest free one (never the network, gateway or broadcast address).</summary>
    private static async Task<IPAddress> AllocateAddressAsync(WebEngineDbContext db, NetworkRecord network, Subnet subnet, NetworkEndpointRecord endpoint,
        CancellationToken cancellationToken)
    {
        var inUse = (await db.Set<NetworkEndpointRecord>().AsNoTracking()
                .Where(e => e.NetworkId == network.Id && e.ContainerId != endpoint.ContainerId && e.Address != "")
                .Select(e => e.Address).ToListAsync(cancellationToken))
            .Select(a => subnet.IndexOf(IPAddress.Parse(a))).ToHashSet();
        inUse.Add(subnet.IndexOf(IPAddress.Parse(network.Gateway)));
        if (endpoint.RequestedAddress.Length > 0)
        {
            var requested = IPAddress.Parse(endpoint.RequestedAddress);
            if (inUse.Contains(subnet.IndexOf(requested)))
                throw new ConflictException($"Address already in use: {requested} on network {network.Name}");
            return requested;
        }
        for (var index = 1u; index < subnet.Size - 1; index++)
        {
            if (!inUse.Contains(index))
                return subnet.Address(index);
        }
        throw new UnavailableException($"no available IPv4 addresses on network {network.Name} ({network.Subnet})");
    }

    /// <summary>When the container's process has ended: its namespace, veth pairs, addresses and published ports go.</summary>
    public async Task TearDownAsync(string containerId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await TearDownLockedAsync(containerId);
        }
        finally
        {
            Unlock();
        }
    }

    private async Task TearDownLockedAsync(string containerId)
    {
        await using var db = _database.CreateContext();
        var endpoints = await EndpointsOfAsync(db, containerId, CancellationToken.None);
        var peers = await PeersAsync(db, containerId, CancellationToken.None);
        Sandboxes.Delete(SandboxName(containerId));
        var live = endpoints.Where(e => e.Endpoint.EndpointId.Length > 0).ToList();
        foreach (var (endpoint, _) in endpoints.Where(e => e.Endpoint.HostDevice.Length > 0))
            await Sandboxes.RemoveVethAsync(endpoint.HostDevice);
        foreach (var (endpoint, _) in endpoints)
        {
            endpoint.EndpointId = endpoint.Address = endpoint.MacAddress = endpoint.Interface = endpoint.HostDevice = "";
            db.Update(endpoint);
        }
        await _events.CommitAsync(db, CancellationToken.None);
        if (await DeleteAsync(db.Set<PublishedPortRecord>().Where(p => p.ContainerId == containerId), CancellationToken.None) > 0)
            await ApplyFirewallAsync(CancellationToken.None);
        await RefreshHostsAsync(db, peers, CancellationToken.None);
        foreach (var (_, network) in live)
            await PublishAsync(network, "disconnect", CancellationToken.None, containerId);
    }

    /// <summary>docker rm: the container's connections go with it.</summary>
    public async Task ForgetAsync(string containerId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await TearDownLockedAsync(containerId);
            await using var db = _database.CreateContext();
            await DeleteAsync(db.Set<NetworkEndpointRecord>().Where(e => e.ContainerId == containerId), CancellationToken.None);
        }
        finally
        {
            Unlock();
        }
    }

    /// <summary>
    /// docker network connect: records the connection and, when the container runs, gives it an interface on the
    /// network at once; the container's and its new peers' /etc/hosts follow.
    /// </summary>
    public async Task ConnectAsync(string networkIdOrName, ContainerNetworkIdentity container, EndpointConfig config, bool running, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var network = await FindAsync(db, networkIdOrName, cancellationToken);
            var endpoints = await EndpointsOfAsync(db, container.ContainerId, cancellationToken);
            if (network.Driver != "bridge" || endpoints.Count == 0 || endpoints.Any(e => e.Network.Driver != "bridge"))
                throw new ConflictException($"container {container.Name} cannot be connected to network {network.Name}: " +
                                            "a container on the host's network, on none, or sharing another container's network cannot join other networks");
            if (endpoints.Any(e => e.Network.Id == network.Id))
                throw new ConflictException($"endpoint with name {container.Name} already exists in network {network.Name}");
            CheckEndpointConfig(network, config);
            var endpoint = NewEndpoint(container, network, config, endpoints.Max(e => e.Endpoint.Position) + 1);
            db.Add(endpoint);
            await _events.CommitAsync(db, cancellationToken);
            if (running)
            {
                try
                {
                    await ConnectEndpointAsync(db, container, endpoint, network, defaultRoute: false, cancellationToken);
                    await RefreshHostsAsync(db, [container.ContainerId], cancellationToken);
                }
                catch
                {
                    if (endpoint.HostDevice.Length > 0)
                        await Sandboxes.RemoveVethAsync(endpoint.HostDevice);
                    await DeleteAsync(db.Set<NetworkEndpointRecord>().Where(e => e.NetworkId == network.Id && e.ContainerId == container.ContainerId), CancellationToken.None);
                    throw;
                }
            }
            await PublishAsync(network, "connect", CancellationToken.None, container.ContainerId);
        }
        finally
        {
            Unlock();
        }
    }

    /// <summary>docker network disconnect: removes the container's interface on the network (when running) and the connection.</summary>
    public async Task DisconnectAsync(string networkIdOrName, string containerId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var network = await FindAsync(db, networkIdOrName, cancellationToken);
            var endpoints = await EndpointsOfAsync(db, containerId, cancellationToken);
            var endpoint = endpoints.FirstOrDefault(e => e.Network.Id == network.Id).Endpoint
                           ?? throw new ConflictException($"container {containerId} is not connected to network {network.Name}");
            if (network.Driver != "bridge")
                throw new ConflictException($"container cannot be disconnected from network {network.Name}");
            var peers = await PeersAsync(db, containerId, cancellationToken);
            var wasPrimary = endpoint.Address.Length > 0 && endpoints.Where(e => e.Endpoint.Address.Length > 0).MinBy(e => e.Endpoint.Position).Endpoint == endpoint;
            if (endpoint.HostDevice.Length > 0)
                await Sandboxes.RemoveVethAsync(endpoint.HostDevice);
            await DeleteAsync(db.Set<NetworkEndpointRecord>().Where(e => e.NetworkId == network.Id && e.ContainerId == containerId), CancellationToken.None);
            if (wasPrimary)
                await ApplyFirewallAsync(CancellationToken.None);
            await RefreshHostsAsync(db, peers, CancellationToken.None);
            await PublishAsync(network, "disconnect", CancellationToken.None, containerId);
        }
        finally
        {
            Unlock();
        }
    }

    private static async Task<List<(NetworkEndpointRecord Endpoint, NetworkRecord Network)>> EndpointsOfAsync(WebEngineDbContext db, string containerId,
        CancellationToken cancellationToken)
    {
        var endpoints = await db.Set<NetworkEndpointRecord>().Where(e => e.ContainerId == containerId).OrderBy(e => e.Position).ToListAsync(cancellationToken);
        var ids = endpoints.Select(e => e.NetworkId).ToList();
        var networks = await db.Set<NetworkRecord>().AsNoTracking().Where(n => ids.Contains(n.Id)).ToDictionaryAsync(n => n.Id, cancellationToken);
        return endpoints.Select(e => (e, networks[e.NetworkId])).ToList();
    }

    /// <summary>The container and the running containers that share a user-defined network with it: whose /etc/hosts list it.</summary>
    private static async Task<List<string>> PeersAsync(WebEngineDbContext db, string containerId, CancellationToken cancellationToken)
    {
        var userNetworks = await UserNetworkIdsAsync(db, cancellationToken);
        var mine = await db.Set<NetworkEndpointRecord>().Where(e => e.ContainerId == containerId).Select(e => e.NetworkId).ToListAsync(cancellationToken);
        var shared = mine.Where(userNetworks.Contains).ToList();
        var peers = await db.Set<NetworkEndpointRecord>().Where(e => shared.Contains(e.NetworkId) && e.Address != "").Select(e => e.ContainerId)
            .Distinct().ToListAsync(cancellationToken);
        return [containerId, .. peers.Where(p => p != containerId)];
    }

    private static async Task<HashSet<string>> UserNetworkIdsAsync(WebEngineDbContext db, CancellationToken cancellationToken) =>
        (await db.Set<NetworkRecord>().Where(n => n.Driver == "bridge" && n.Name != DefaultNetwork).Select(n => n.Id).ToListAsync(cancellationToken)).ToHashSet();

    /// <summary>
    /// Rewrites the engine's section of /etc/hosts of each running container given (and of the peers of a container
    /// that just joined): its own addresses, and every running container on its user-defined networks.
    /// </summary>
    private async Task RefreshHostsAsync(WebEngineDbContext db, IReadOnlyList<string> containerIds, CancellationToken cancellationToken)
    {
        var all = await db.Set<NetworkEndpointRecord>().AsNoTracking().Where(e => e.Address != "").ToListAsync(cancellationToken);
        var userNetworks = await UserNetworkIdsAsync(db, cancellationToken);
        var targets = new HashSet<string>(containerIds);
        foreach (var id in containerIds)
        {
            var shared = all.Where(e => e.ContainerId == id && userNetworks.Contains(e.NetworkId)).Select(e => e.NetworkId).ToHashSet();
            targets.UnionWith(all.Where(e => shared.Contains(e.NetworkId)).Select(e => e.ContainerId));
        }
        foreach (var id in targets)
        {
            var own = all.Where(e => e.ContainerId == id).OrderBy(e => e.Position).ToList();
            if (own.Count == 0)
                continue;
            var entries = own.Select(e => (e.Address, (IReadOnlyList<string>)[e.Hostname])).ToList();
            var networks = own.Where(e => userNetworks.Contains(e.NetworkId)).Select(e => e.NetworkId).ToHashSet();
            foreach (var peer in all.Where(e => networks.Contains(e.NetworkId) && e.ContainerId != id).OrderBy(e => e.ContainerName, StringComparer.Ordinal))
                entries.Add((peer.Address, [peer.ContainerName, .. Aliases(peer)]));
            await HostsSection.WriteAsync(Path.Combine(_engine.ContainersDirectory, id, "hosts"), entries);
        }
    }

    private static IReadOnlyList<string> Aliases(NetworkEndpointRecord endpoint) =>
        JsonSerializer.Deserialize<List<string>>(endpoint.AliasesJson) ?? [];
}
