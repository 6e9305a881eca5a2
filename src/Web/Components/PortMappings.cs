using System.Globalization;
using System.Net;
using WebEngine.Engine.Networks;

namespace WebEngine.Web.Components;

/// <summary>
/// docker run's -p in the create form: "[ip:][hostPort:]containerPort[/tcp|udp]", one a line, checked with the CLI's
/// messages and turned into the API's PortBindings (a missing host port is a random one) and ExposedPorts.
/// </summary>
public static class PortMappings
{
    /// <summary>The mappings of <paramref name="lines"/> by "port/proto"; throws FormatException with the CLI's message.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<PortBinding>> Parse(IEnumerable<string> lines)
    {
        var bindings = new Dictionary<string, List<PortBinding>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var (key, binding) = ParseOne(line);
            if (!bindings.TryGetValue(key, out var list))
                bindings[key] = list = [];
            list.Add(binding);
        }
        return bindings.ToDictionary(b => b.Key, b => (IReadOnlyList<PortBinding>)b.Value, StringComparer.Ordinal);
    }

    /// <summary>The -p flags of docker run for <paramref name="bindings"/>: "127.0.0.1:8080:80", "8080:80/udp", "80".</summary>
    public static IEnumerable<string> Format(IReadOnlyDictionary<string, IReadOnlyList<PortBinding>> bindings)
    {
        foreach (var (key, list) in bindings.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            var container = key.EndsWith("/tcp", StringComparison.Ordinal) ? key[..^4] : key;
            foreach (var binding in list)
            {
                var ip = binding.HostIp.Contains(':') ? $"[{binding.HostIp}]" : binding.HostIp;
                yield return ip.Length > 0 ? $"{ip}:{binding.HostPort}:{container}"
                    : binding.HostPort.Length > 0 ? $"{binding.HostPort}:{container}"
                    : container;
            }
        }
    }

    private static (string Key, PortBinding Binding) ParseOne(string spec)
    {
        var protocol = "tcp";
        var rest = spec;
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            rest = spec[..slash];
            if (protocol is not ("tcp" or "udp" or "sctp"))
                throw new FormatException($"invalid proto: {spec[(slash + 1)..]}");
        }
        // [ip:]hostPort:containerPort, an IPv6 address in brackets; or containerPort alone (a random host port).
        var hostIp = "";
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf("]:", StringComparison.Ordinal);
            hostIp = close < 0 ? rest : rest[1..close];
            if (close < 0 || !IPAddress.TryParse(hostIp, out _))
                throw new FormatException($"invalid IP address: {hostIp}");
            rest = rest[(close + 2)..];
            if (!rest.Contains(':'))
                throw new FormatException($"invalid port specification: \"{spec}\"");
        }
        var parts = rest.Split(':');
        if (parts.Length == 3 && hostIp.Length == 0)
        {
            hostIp = parts[0];
            if (!IPAddress.TryParse(hostIp, out _))
                throw new FormatException($"invalid IP address: {hostIp}");
            parts = parts[1..];
        }
        if (parts.Length > 2)
            throw new FormatException($"invalid port specification: \"{spec}\"");
        var (hostPort, containerPort) = parts.Length == 2 ? (parts[0], parts[1]) : ("", parts[0]);
        if (!IsPort(containerPort))
            throw new FormatException($"invalid containerPort: {containerPort}");
        if (hostPort.Length > 0 && !IsPort(hostPort))
            throw new FormatException($"invalid hostPort: {hostPort}");
        return ($"{containerPort}/{protocol}", new PortBinding { HostIp = hostIp, HostPort = hostPort });
    }

    private static bool IsPort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535;
}
