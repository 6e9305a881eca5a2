using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WebEngine.Data.Networks;
using WebEngine.Engine.Networks.Kernel;

namespace WebEngine.Engine.Networks;

/// <summary>A container's networks and ports for docker ps.</summary>
public sealed record ContainerNetworkSummary(IReadOnlyList<PortSummary> Ports, IReadOnlyDictionary<string, EndpointSettings> Networks);

public sealed partial class NetworkService
{
    /// <summary>inspect's NetworkSettings: the container's endpoints (addresses while it runs) and its ports.</summary>
    public async Task<NetworkSettings> SettingsAsync(string containerId, IEnumerable<string> exposedPorts, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var endpoints = await EndpointsOfAsync(db, containerId, cancellationToken);
        var published = await db.Set<PublishedPortRecord>().AsNoTracking().Where(p => p.ContainerId == containerId).OrderBy(p => p.Id).ToListAsync(cancellationToken);
        var running = endpoints.Any(e => e.Endpoint.EndpointId.Length > 0);
        var ports = new Dictionary<string, IReadOnlyList<PortBinding>?>();
        // Ports are a bridge's: a container on none or on the host's network has none to show (Docker's are empty too).
        if (endpoints.Any(e => e.Endpoint.Address.Length > 0))
        {
            foreach (var exposed in exposedPorts)
            {
                var (port, protocol) = PublishedPorts.ParseContainerPort(exposed);
                ports[$"{port}/{protocol}"] = null;
            }
            foreach (var group in published.GroupBy(p => $"{p.ContainerPort}/{p.Protocol}"))
            {
                ports[group.Key] = group.Select(p => new PortBinding
                {
                    HostIp = p.HostIp.Length > 0 ? p.HostIp : "0.0.0.0", HostPort = p.HostPort.ToString(CultureInfo.InvariantCulture),
                }).ToList();
            }
        }
        var bridge = endpoints.FirstOrDefault(e => e.Network.Name == DefaultNetwork);
        var legacy = bridge.Endpoint is { Address.Length: > 0 } b ? ToSettings(b, bridge.Network, containerId) : null;
        return new NetworkSettings
        {
            SandboxID = running ? containerId : "",
            SandboxKey = running && endpoints.All(e => e.Network.Driver != "host") ? SandboxPath(containerId) : "",
            Ports = ports,
            EndpointID = legacy?.EndpointID ?? "",
            Gateway = legacy?.Gateway ?? "",
            IPAddress = legacy?.IPAddress ?? "",
            IPPrefixLen = legacy?.IPPrefixLen ?? 0,
            MacAddress = legacy?.MacAddress ?? "",
            Networks = endpoints.ToDictionary(e => e.Network.Name, e => ToSettings(e.Endpoint, e.Network, containerId)),
        };
    }

    /// <summary>
    /// Every container's published ports and networks, for docker ps: read again only after a change (see
    /// <see cref="_changes"/>), so callers share the result and must not change it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ContainerNetworkSummary>> SummariesAsync(CancellationToken cancellationToken)
    {
        var changes = Interlocked.Read(ref _changes);
        if (_summaries is { } cached && cached.Changes == changes)
            return cached.Summaries;
        var summaries = await ReadSummariesAsync(cancellationToken);
        _summaries = new CachedSummaries(changes, summaries);
        return summaries;
    }

    private async Task<IReadOnlyDictionary<string, ContainerNetworkSummary>> ReadSummariesAsync(CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var networks = await db.Set<NetworkRecord>().AsNoTracking().ToDictionaryAsync(n => n.Id, cancellationToken);
        var endpoints = (await db.Set<NetworkEndpointRecord>().AsNoTracking().OrderBy(e => e.Position).ToListAsync(cancellationToken)).ToLookup(e => e.ContainerId);
        var ports = (await db.Set<PublishedPortRecord>().AsNoTracking().OrderBy(p => p.Id).ToListAsync(cancellationToken)).ToLookup(p => p.ContainerId);
        return endpoints.Select(g => g.Key).Union(ports.Select(g => g.Key)).ToDictionary(id => id, id => new ContainerNetworkSummary(
            ports[id].Select(p => new PortSummary { IP = p.HostIp.Length > 0 ? p.HostIp : "0.0.0.0", PrivatePort = p.ContainerPort, PublicPort = p.HostPort, Type = p.Protocol }).ToList(),
            endpoints[id].ToDictionary(e => networks[e.NetworkId].Name, e => ToSettings(e, networks[e.NetworkId], id))));
    }

    private static EndpointSettings ToSettings(NetworkEndpointRecord endpoint, NetworkRecord network, string containerId)
    {
        var aliases = Aliases(endpoint);
        var userDefined = network.Driver == "bridge" && network.Name != DefaultNetwork;
        var live = endpoint.Address.Length > 0;
        return new EndpointSettings
        {
            IPAMConfig = endpoint.RequestedAddress.Length > 0 ? new EndpointIpamConfig { IPv4Address = endpoint.RequestedAddress } : null,
            Aliases = aliases.Count > 0 ? aliases : null,
            MacAddress = endpoint.MacAddress.Length > 0 ? endpoint.MacAddress : endpoint.RequestedMacAddress,
            NetworkID = network.Id,
            EndpointID = endpoint.EndpointId,
            Gateway = live ? network.Gateway : "",
            IPAddress = endpoint.Address,
            IPPrefixLen = live ? Subnet.Parse(network.Subnet).PrefixLength : 0,
            DNSNames = userDefined ? [endpoint.ContainerName, .. aliases, containerId[..12]] : null,
        };
    }

    /// <summary>
    /// At engine start, after containers are reconciled: whatever network state belongs to no running container goes
    /// (namespaces, veth ends, addresses and ports of containers that ended while no engine ran, connections of
    /// containers that are gone), and the firewall is rewritten.
    /// </summary>
    public async Task CleanUpAsync(IReadOnlySet<string> running, IReadOnlySet<string> known, CancellationToken cancellationToken)
    {
        List<string> ended;
        await using (var db = _database.CreateContext())
        {
            try
            {
                await DeleteAsync(db.Set<NetworkEndpointRecord>().Where(e => !known.Contains(e.ContainerId)), cancellationToken);
                await DeleteAsync(db.Set<PublishedPortRecord>().Where(p => !running.Contains(p.ContainerId)), cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref _changes);
            }
            ended = await db.Set<NetworkEndpointRecord>().Where(e => e.EndpointId != "" && !running.Contains(e.ContainerId)).Select(e => e.ContainerId)
                .Distinct().ToListAsync(cancellationToken);
        }
        foreach (var id in ended)
            await TearDownAsync(id, cancellationToken);
        var prefix = _options.DevicePrefix + "-";
        foreach (var sandbox in Sandboxes.List(prefix).Where(s => !running.Contains(s[prefix.Length..])))
        {
            _logger.LogWarning("Removing network namespace {Sandbox}: its container does not run", sandbox);
            Sandboxes.Delete(sandbox);
        }
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await ApplyFirewallAsync(cancellationToken);
        }
        finally
        {
            Unlock();
        }
    }
}
