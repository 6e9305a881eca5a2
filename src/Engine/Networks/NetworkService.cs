using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebEngine.Data;
using WebEngine.Data.Networks;
using WebEngine.Engine.Events;
using WebEngine.Engine.Networks.Kernel;

namespace WebEngine.Engine.Networks;

/// <summary>
/// Networks and containers' places on them: bridge networks (a Linux bridge, a subnet, IPAM), the predefined
/// "bridge", "host" and "none", each running container's network namespace with a veth pair per network, published
/// ports, and the /etc/hosts entries by which containers on a user-defined network find each other. State is in
/// SQLite; the kernel side is rebuilt from it (see README.md). One lock serializes every change.
/// </summary>
public sealed partial class NetworkService
{
    public const string DefaultNetwork = "bridge";
    public const string HostNetwork = "host";
    public const string NoneNetwork = "none";

    private static readonly Regex DevicePrefixPattern = new("^[a-z][a-z0-9]{0,5}$");
    private static readonly Regex NamePattern = new("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");

    private readonly EngineOptions _engine;
    private readonly NetworkingOptions _options;
    private readonly WebEngineDatabase _database;
    private readonly EventLog _events;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>
    /// Counts the changes to the networks, endpoints and published ports tables: each is made holding
    /// <see cref="_lock"/> and counted when it is released (CleanUpAsync's deletes count themselves), so summaries
    /// read while the count stood still are still what the tables say.
    /// </summary>
    private long _changes;

    /// <summary>docker ps's network summaries and the change count they were read at.</summary>
    private volatile CachedSummaries? _summaries;

    public NetworkService(EngineOptions options, WebEngineDatabase database, EventLog events, ILogger? logger = null)
    {
        _engine = options;
        _options = options.Networking;
        _database = database;
        _events = events;
        _logger = logger ?? NullLogger.Instance;
        if (!DevicePrefixPattern.IsMatch(_options.DevicePrefix))
            throw new InvalidArgumentException($"Networking:DevicePrefix \"{_options.DevicePrefix}\" must be 1-6 of [a-z0-9], starting with a letter (device names have 15 bytes)");
        if (!Regex.IsMatch(_options.FirewallTable, "^[A-Za-z][A-Za-z0-9_]{0,62}$"))
            throw new InvalidArgumentException($"Networking:FirewallTable \"{_options.FirewallTable}\" must be a letter and up to 62 of [A-Za-z0-9_]");
    }

    /// <summary>The path of a container's network namespace (what its bundle joins).</summary>
    public string SandboxPath(string containerId) => Sandboxes.PathOf(SandboxName(containerId));

    private string SandboxName(string containerId) => $"{_options.DevicePrefix}-{containerId}";

    private string BridgeName(string networkId, bool isDefault) => isDefault ? $"{_options.DevicePrefix}0" : $"{_options.DevicePrefix}b{networkId[..8]}";

    private string HostDeviceName(string networkId, string containerId) =>
        $"{_options.DevicePrefix}v{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(networkId + containerId)))[..8]}";

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// At engine start, before containers are reconciled: the predefined networks exist, every bridge network has its
    /// bridge (a reboot removes them), forwarding is on and the firewall table matches the state.
    /// </summary>
    public async Task EnsureNetworksAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using (var db = _database.CreateContext())
            {
                var names = await db.Set<NetworkRecord>().Select(n => n.Name).ToListAsync(cancellationToken);
                if (!names.Contains(HostNetwork))
                    db.Add(NewRecord(HostNetwork, "host"));
                if (!names.Contains(NoneNetwork))
                    db.Add(NewRecord(NoneNetwork, "null"));
                if (!names.Contains(DefaultNetwork))
                {
                    var id = NewId();
                    var subnet = await DefaultSubnetAsync(db, cancellationToken);
                    db.Add(new NetworkRecord
                    {
                        Id = id, Name = DefaultNetwork, Driver = "bridge", Bridge = BridgeName(id, isDefault: true), Subnet = subnet.ToString(),
                        Gateway = subnet.Address(1).ToString(), CreatedUtc = DateTime.UtcNow,
                        OptionsJson = JsonSerializer.Serialize(new Dictionary<string, string> { ["com.docker.network.bridge.default_bridge"] = "true" }),
                    });
                }
                await _events.CommitAsync(db, cancellationToken);
            }
            foreach (var network in await BridgeNetworksAsync(cancellationToken))
                await BridgeDevices.EnsureAsync(network.Bridge, network.Gateway, Subnet.Parse(network.Subnet).PrefixLength);
            await BridgeDevices.EnableForwardingAsync();
            await ApplyFirewallAsync(cancellationToken);
        }
        finally
        {
            Unlock();
        }
    }

    private static NetworkRecord NewRecord(string name, string driver) =>
        new() { Id = NewId(), Name = name, Driver = driver, CreatedUtc = DateTime.UtcNow };

    /// <summary>The configured default subnet, unless something else on the host routes it: then the pool's first free one.</summary>
    private async Task<Subnet> DefaultSubnetAsync(WebEngineDbContext db, CancellationToken cancellationToken)
    {
        if (_options.DefaultBridgeSubnet is { Length: > 0 } configured)
        {
            var subnet = Subnet.Parse(configured);
            var routes = await BridgeDevices.RoutesAsync();
            if (!routes.Any(r => r.Subnet.Overlaps(subnet)))
                return subnet;
            _logger.LogWarning("The default bridge subnet {Subnet} is routed on this host already: taking one from the pool {Pool}", subnet, _options.AddressPool);
        }
        return await AllocateSubnetAsync(db, cancellationToken);
    }

    /// <summary>The first block of the pool that overlaps neither a network of this engine nor a route of the host.</summary>
    private async Task<Subnet> AllocateSubnetAsync(WebEngineDbContext db, CancellationToken cancellationToken)
    {
        var pool = Subnet.Parse(_options.AddressPool);
        var size = _options.PoolSubnetPrefixLength;
        if (size < pool.PrefixLength || size > 30)
            throw new InvalidArgumentException($"Networking:PoolSubnetPrefixLength {size} must be between the pool's prefix length {pool.PrefixLength} and 30");
        var taken = (await db.Set<NetworkRecord>().Where(n => n.Subnet != "").Select(n => n.Subnet).ToListAsync(cancellationToken)).Select(Subnet.Parse).ToList();
        taken.AddRange((await BridgeDevices.RoutesAsync()).Select(r => r.Subnet));
        var step = 1u << (32 - size);
        for (ulong network = pool.Network; network < (ulong)pool.Network + pool.Size; network += step)
        {
            var candidate = new Subnet((uint)network, size);
            if (!taken.Any(t => t.Overlaps(candidate)))
                return candidate;
        }
        throw new UnavailableException($"could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network (pool {pool}, /{size} blocks)");
    }

    private async Task<List<NetworkRecord>> BridgeNetworksAsync(CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        return await db.Set<NetworkRecord>().AsNoTracking().Where(n => n.Driver == "bridge").ToListAsync(cancellationToken);
    }

    /// <summary>Releases <see cref="_lock"/>; whatever was changed under it makes the cached summaries stale.</summary>
    private void Unlock()
    {
        Interlocked.Increment(ref _changes);
        _lock.Release();
    }

    /// <summary>Deletes the rows the query selects, in the database's next write turn (see <see cref="WebEngineDatabase.WriteAsync{T}"/>).</summary>
    private Task<int> DeleteAsync<T>(IQueryable<T> rows, CancellationToken cancellationToken) =>
        _database.WriteAsync(() => rows.ExecuteDeleteAsync(cancellationToken), cancellationToken);

    private sealed record CachedSummaries(long Changes, IReadOnlyDictionary<string, ContainerNetworkSummary> Summaries);

    /// <summary>Rewrites the engine's nftables table from the networks and the published ports of running containers.</summary>
    private async Task ApplyFirewallAsync(CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var networks = await db.Set<NetworkRecord>().AsNoTracking().Where(n => n.Driver == "bridge").OrderBy(n => n.CreatedUtc).ToListAsync(cancellationToken);
        var ports = await db.Set<PublishedPortRecord>().AsNoTracking().OrderBy(p => p.Id).ToListAsync(cancellationToken);
        var endpoints = await db.Set<NetworkEndpointRecord>().AsNoTracking().Where(e => e.Address != "").ToListAsync(cancellationToken);
        var bridgeIds = networks.Select(n => n.Id).ToHashSet();
        var targets = endpoints.Where(e => bridgeIds.Contains(e.NetworkId)).GroupBy(e => e.ContainerId)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Position).First().Address);
        var rules = ports.Where(p => targets.ContainsKey(p.ContainerId))
            .Select(p => new FirewallPort(p.Protocol, p.HostIp, p.HostPort, targets[p.ContainerId], p.ContainerPort)).ToList();
        await Firewall.ApplyAsync(Firewall.Render(_options.FirewallTable,
            networks.Select(n => new FirewallNetwork(n.Bridge, n.Subnet, n.Internal)).ToList(), rules));
    }

    private Task PublishAsync(NetworkRecord network, string action, CancellationToken cancellationToken, string? containerId = null)
    {
        var attributes = new Dictionary<string, string> { ["name"] = network.Name, ["type"] = network.Driver };
        if (containerId is not null)
            attributes["container"] = containerId;
        return _events.PublishAsync("network", action, network.Id, attributes, cancellationToken);
    }
}
