using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WebEngine.Engine.Events;
using WebEngine.Data;
using WebEngine.Data.Networks;
using WebEngine.Engine.Networks.Kernel;

namespace WebEngine.Engine.Networks;

public sealed partial class NetworkService
{
    /// <summary>docker network create: a bridge network with the given subnet, or the pool's next free one.</summary>
    public async Task<NetworkCreateResult> CreateAsync(NetworkCreateRequest request, CancellationToken cancellationToken)
    {
        if (!NamePattern.IsMatch(request.Name))
            throw new InvalidArgumentException($"invalid network name \"{request.Name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (request.Driver is not ("bridge" or ""))
        {
            if (request.Driver is "host" or "null")
                throw new ConflictException($"only one instance of \"{request.Driver}\" network is allowed");
            throw new NotFoundException($"plugin \"{request.Driver}\" not found");
        }
        if (request.EnableIPv6)
            throw new InvalidArgumentException("IPv6 networks are not supported by this engine");
        if (request.IpamDriver is not ("default" or ""))
            throw new NotFoundException($"plugin \"{request.IpamDriver}\" not found");
        if (request.IpamConfig.Count > 1)
            throw new InvalidArgumentException("this engine supports one IPv4 subnet per network");
        var ipam = request.IpamConfig.FirstOrDefault();
        if (ipam is { IPRange.Length: > 0 })
            throw new InvalidArgumentException("IPAM IPRange is not supported by this engine: give a Subnet (and Gateway)");

        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            if (await db.Set<NetworkRecord>().AnyAsync(n => n.Name == request.Name, cancellationToken))
                throw new ConflictException($"network with name {request.Name} already exists");
            Subnet subnet;
            if (ipam is { Subnet.Length: > 0 })
            {
                subnet = Subnet.Parse(ipam.Subnet);
                var existing = await db.Set<NetworkRecord>().Where(n => n.Subnet != "").Select(n => new { n.Name, n.Subnet }).ToListAsync(cancellationToken);
                if (existing.FirstOrDefault(n => Subnet.Parse(n.Subnet).Overlaps(subnet)) is { } clash)
                    throw new ConflictException($"invalid pool request: Pool overlaps with other one on this address space (network {clash.Name} has {clash.Subnet})");
                if ((await BridgeDevices.RoutesAsync()).FirstOrDefault(r => r.Subnet.Overlaps(subnet)) is { Device.Length: > 0 } route)
                    throw new ConflictException($"invalid pool request: {subnet} overlaps with {route.Subnet} routed on {route.Device} on this host");
            }
            else
            {
                if (ipam is { Gateway.Length: > 0 })
                    throw new InvalidArgumentException("a Gateway needs a Subnet");
                subnet = await AllocateSubnetAsync(db, cancellationToken);
            }
            var gateway = subnet.Address(1);
            if (ipam is { Gateway.Length: > 0 } given)
            {
                if (!IPAddress.TryParse(given.Gateway, out var parsed) || !subnet.Contains(parsed))
                    throw new InvalidArgumentException($"invalid gateway {given.Gateway}: it must be an address in {subnet}");
                gateway = parsed;
                if (subnet.IndexOf(gateway) == 0 || subnet.IndexOf(gateway) == subnet.Size - 1)
                    throw new InvalidArgumentException($"invalid gateway {given.Gateway}: it is the network or broadcast address of {subnet}");
            }
            var id = NewId();
            var record = new NetworkRecord
            {
                Id = id, Name = request.Name, Driver = "bridge", Bridge = BridgeName(id, isDefault: false), Subnet = subnet.ToString(), Gateway = gateway.ToString(),
                Internal = request.Internal, Attachable = request.Attachable, SubnetGiven = ipam is { Subnet.Length: > 0 },
                LabelsJson = JsonSerializer.Serialize(request.Labels), OptionsJson = JsonSerializer.Serialize(request.Options), CreatedUtc = DateTime.UtcNow,
            };
            try
            {
                await BridgeDevices.EnsureAsync(record.Bridge, record.Gateway, subnet.PrefixLength);
                db.Add(record);
                await _events.CommitAsync(db, cancellationToken);
                await ApplyFirewallAsync(CancellationToken.None);
            }
            catch
            {
                await BridgeDevices.DeleteAsync(record.Bridge);
                await ForgetNetworkAsync(id);
                throw;
            }
            await PublishAsync(record, "create", CancellationToken.None);
            _logger.LogInformation("Created network {Network} ({Subnet} on {Bridge})", request.Name, record.Subnet, record.Bridge);
            return new NetworkCreateResult(id, "");
        }
        finally
        {
            Unlock();
        }
    }

    private async Task ForgetNetworkAsync(string id)
    {
        await using var db = _database.CreateContext();
        await DeleteAsync(db.Set<NetworkRecord>().Where(n => n.Id == id), CancellationToken.None);
    }

    public async Task<NetworkDetails> InspectAsync(string idOrName, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var record = await FindAsync(db, idOrName, cancellationToken);
        var endpoints = await db.Set<NetworkEndpointRecord>().AsNoTracking().Where(e => e.NetworkId == record.Id).ToListAsync(cancellationToken);
        return ToDetails(record, endpoints);
    }

    /// <summary>docker network ls, with Docker's filters: name (substring), id (prefix), driver, label, type (custom, builtin), dangling.</summary>
    public async Task<IReadOnlyList<NetworkDetails>> ListAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var records = await db.Set<NetworkRecord>().AsNoTracking().OrderBy(n => n.CreatedUtc).ToListAsync(cancellationToken);
        var endpoints = (await db.Set<NetworkEndpointRecord>().AsNoTracking().ToListAsync(cancellationToken)).ToLookup(e => e.NetworkId);
        IEnumerable<NetworkRecord> selected = records;
        foreach (var (key, values) in filters ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (values.Count == 0)
                continue;
            selected = key switch
            {
                "name" => selected.Where(n => values.Any(v => n.Name.Contains(v, StringComparison.Ordinal))).ToList(),
                "id" => selected.Where(n => values.Any(v => n.Id.StartsWith(v, StringComparison.Ordinal))).ToList(),
                "driver" => selected.Where(n => values.Contains(n.Driver)).ToList(),
                "label" => selected.Where(n => values.All(v => HasLabel(Labels(n), v))).ToList(),
                "type" => selected.Where(n => values.Any(v => CheckType(v) == (IsPredefined(n.Name) ? "builtin" : "custom"))).ToList(),
                "dangling" => selected.Where(n => values.Any(v => ParseBool(v, key) == (!IsPredefined(n.Name) && !endpoints[n.Id].Any()))).ToList(),
                "scope" => selected.Where(n => values.Contains("local")).ToList(),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
        }
        return selected.Select(n => ToDetails(n, endpoints[n.Id].ToList())).ToList();
    }

    /// <summary>docker network rm: refused for the predefined networks and while containers are connected.</summary>
    public async Task RemoveAsync(string idOrName, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var record = await FindAsync(db, idOrName, cancellationToken);
            await RemoveLockedAsync(db, record, cancellationToken);
        }
        finally
        {
            Unlock();
        }
    }

    private async Task RemoveLockedAsync(WebEngineDbContext db, NetworkRecord record, CancellationToken cancellationToken)
    {
        if (IsPredefined(record.Name))
            throw new ConflictException($"{record.Name} is a pre-defined network and cannot be removed");
        var connected = await db.Set<NetworkEndpointRecord>().Where(e => e.NetworkId == record.Id).Select(e => e.ContainerName).ToListAsync(cancellationToken);
        if (connected.Count > 0)
            throw new ConflictException($"error while removing network: network {record.Name} id {record.Id} has active endpoints (name:\"{string.Join("\", name:\"", connected)}\")");
        await DeleteAsync(db.Set<NetworkRecord>().Where(n => n.Id == record.Id), cancellationToken);
        await ApplyFirewallAsync(CancellationToken.None);
        await BridgeDevices.DeleteAsync(record.Bridge);
        await PublishAsync(record, "destroy", CancellationToken.None);
        _logger.LogInformation("Removed network {Network}", record.Name);
    }

    /// <summary>docker network prune: removes the user-defined networks no container is connected to; filters label and until.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken)
    {
        filters ??= new Dictionary<string, IReadOnlyList<string>>();
        foreach (var key in filters.Keys.Where(k => k is not ("label" or "label!" or "until")))
            throw new InvalidArgumentException($"invalid filter '{key}'");
        DateTime? until = filters.TryGetValue("until", out var untilValues) && untilValues.Count > 0 ? ParseUntil(untilValues[0]) : null;
        var removed = new List<string>();
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var used = (await db.Set<NetworkEndpointRecord>().Select(e => e.NetworkId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
            var candidates = (await db.Set<NetworkRecord>().AsNoTracking().ToListAsync(cancellationToken))
                .Where(n => !IsPredefined(n.Name) && !used.Contains(n.Id))
                .Where(n => until is null || n.CreatedUtc < until)
                .Where(n => !filters.TryGetValue("label", out var labels) || labels.All(l => HasLabel(Labels(n), l)))
                .Where(n => !filters.TryGetValue("label!", out var labels) || !labels.Any(l => HasLabel(Labels(n), l)))
                .ToList();
            foreach (var network in candidates)
            {
                await RemoveLockedAsync(db, network, cancellationToken);
                removed.Add(network.Name);
            }
        }
        finally
        {
            Unlock();
        }
        // A network holds no disk space: Moby reports "reclaimed" 0 too.
        await _events.PublishPruneAsync(EventTypes.Network, 0, cancellationToken);
        return removed;
    }

    /// <summary>Docker's lookup order: full id, name, then a unique id prefix.</summary>
    private static async Task<NetworkRecord> FindAsync(WebEngineDbContext db, string idOrName, CancellationToken cancellationToken)
    {
        var set = db.Set<NetworkRecord>().AsNoTracking();
        var found = await set.FirstOrDefaultAsync(n => n.Id == idOrName, cancellationToken)
                    ?? await set.FirstOrDefaultAsync(n => n.Name == idOrName, cancellationToken);
        if (found is not null)
            return found;
        if (idOrName.Length > 0 && idOrName.All(char.IsAsciiHexDigitLower))
        {
            var candidates = await set.Where(n => n.Id.StartsWith(idOrName)).Take(2).ToListAsync(cancellationToken);
            if (candidates.Count == 1)
                return candidates[0];
            if (candidates.Count > 1)
                throw new InvalidArgumentException($"network {idOrName} is ambiguous ({candidates.Count} matches found based on ID prefix)");
        }
        throw new NotFoundException($"network {idOrName} not found");
    }

    private static bool IsPredefined(string name) => name is DefaultNetwork or HostNetwork or NoneNetwork;

    private static IReadOnlyDictionary<string, string> Labels(NetworkRecord record) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(record.LabelsJson) ?? [];

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var equals = filter.IndexOf('=');
        return equals < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..equals], out var value) && value == filter[(equals + 1)..];
    }

    private static string CheckType(string value) =>
        value is "custom" or "builtin" ? value : throw new InvalidArgumentException($"invalid filter: 'type'='{value}'");

    private static bool ParseBool(string value, string key) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new InvalidArgumentException($"invalid filter '{key}={value}'"),
    };

    private static DateTime ParseUntil(string value)
    {
        if (long.TryParse(value, out var seconds))
            return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time))
            return time.UtcDateTime;
        if (System.Xml.XmlConvert.ToTimeSpan("PT" + value.ToUpperInvariant()) is var ago)
            return DateTime.UtcNow - ago;
        throw new InvalidArgumentException($"invalid filter 'until={value}'");
    }

    private static NetworkDetails ToDetails(NetworkRecord record, IReadOnlyList<NetworkEndpointRecord> endpoints)
    {
        var prefix = record.Subnet.Length > 0 ? Subnet.Parse(record.Subnet).PrefixLength : 0;
        return new NetworkDetails
        {
            Name = record.Name,
            Id = record.Id,
            Created = DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc),
            Driver = record.Driver,
            IPAM = new NetworkIpam
            {
                Config = record.Subnet.Length > 0 ? [new NetworkIpamConfig { Subnet = record.Subnet, Gateway = record.Gateway }] : [],
            },
            Internal = record.Internal,
            Attachable = record.Attachable,
            Containers = endpoints.Where(e => e.EndpointId.Length > 0).ToDictionary(e => e.ContainerId, e => new NetworkContainer
            {
                Name = e.ContainerName,
                EndpointID = e.EndpointId,
                MacAddress = e.MacAddress,
                IPv4Address = e.Address.Length > 0 ? $"{e.Address}/{prefix}" : "",
            }),
            Options = JsonSerializer.Deserialize<Dictionary<string, string>>(record.OptionsJson) ?? [],
            Labels = Labels(record),
        };
    }
}
