using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WebEngine.Engine.Networks;

/// <summary>A container port ("80/tcp") and the host side it is asked to be published on.</summary>
public readonly record struct PortRequest(int ContainerPort, string Protocol, IPAddress? HostIp, int FirstHostPort, int LastHostPort)
{
    public string Key => $"{ContainerPort}/{Protocol}";

    /// <summary>No host port given: the engine picks one.</summary>
    public bool RandomHostPort => FirstHostPort == 0;
}

/// <summary>Docker's forms of published ports: "80", "80/tcp", "53/udp" as keys; host ports "8080", "8080-8090" or "".</summary>
public static class PublishedPorts
{
    private static readonly HashSet<string> Protocols = ["tcp", "udp", "sctp"];

    public static (int Port, string Protocol) ParseContainerPort(string key)
    {
        var slash = key.IndexOf('/');
        var (number, protocol) = slash < 0 ? (key, "tcp") : (key[..slash], key[(slash + 1)..].ToLowerInvariant());
        if (!Protocols.Contains(protocol))
            throw new InvalidArgumentException($"invalid proto: {protocol}");
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new InvalidArgumentException($"invalid containerPort: {number}");
        return (port, protocol);
    }

    public static PortRequest ParseBinding(string key, PortBinding binding)
    {
        var (port, protocol) = ParseContainerPort(key);
        IPAddress? hostIp = null;
        if (binding.HostIp is { Length: > 0 } text && text != "0.0.0.0")
        {
            if (!IPAddress.TryParse(text.Trim('[', ']'), out hostIp))
                throw new InvalidArgumentException($"invalid host IP address: {text}");
            if (hostIp.AddressFamily != AddressFamily.InterNetwork)
                throw new InvalidArgumentException($"invalid host IP address {text}: this engine publishes ports on IPv4 addresses only");
        }
        if (string.IsNullOrEmpty(binding.HostPort))
            return new PortRequest(port, protocol, hostIp, 0, 0);
        var dash = binding.HostPort.IndexOf('-');
        var (firstText, lastText) = dash < 0 ? (binding.HostPort, binding.HostPort) : (binding.HostPort[..dash], binding.HostPort[(dash + 1)..]);
        if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
            !int.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var last) ||
            first is < 1 or > 65535 || last is < 1 or > 65535 || last < first)
            throw new InvalidArgumentException($"invalid hostPort: {binding.HostPort}");
        return new PortRequest(port, protocol, hostIp, first, last);
    }

    /// <summary>
    /// What a container publishes: its PortBindings, and with PublishAllPorts every exposed port without a binding on
    /// a random host port.
    /// </summary>
    public static IReadOnlyList<PortRequest> Requests(IReadOnlyDictionary<string, IReadOnlyList<PortBinding>> bindings, bool publishAll,
        IEnumerable<string> exposedPorts)
    {
        var requests = new List<PortRequest>();
        foreach (var (key, list) in bindings)
        {
            // docker create -p 80 sends an empty list: publish on a random port.
            var effective = list is { Count: > 0 } ? list : [new PortBinding()];
            requests.AddRange(effective.Select(b => ParseBinding(key, b)));
        }
        if (publishAll)
        {
            var bound = requests.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var exposed in exposedPorts)
            {
                var (port, protocol) = ParseContainerPort(exposed);
                if (bound.Add($"{port}/{protocol}"))
                    requests.Add(new PortRequest(port, protocol, null, 0, 0));
            }
        }
        return requests;
    }
}
