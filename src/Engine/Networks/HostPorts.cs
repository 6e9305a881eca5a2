using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using WebEngine.Data.Networks;

namespace WebEngine.Engine.Networks;

/// <summary>
/// Picks the host ports of a container's published ports: a port is free when no other published port of this engine
/// has it (on the same or every address) and nothing on the host listens on it (a trial bind). Random ports come from
/// the ephemeral range, starting at a random place so that engines side by side rarely meet.
/// </summary>
internal static class HostPorts
{
    public static List<PublishedPortRecord> Allocate(string containerId, IReadOnlyList<PortRequest> requests, IReadOnlyList<PublishedPortRecord> existing,
        NetworkingOptions options)
    {
        var taken = existing.ToList();
        var result = new List<PublishedPortRecord>();
        foreach (var request in requests)
        {
            var hostIp = request.HostIp?.ToString() ?? "";
            var port = request.RandomHostPort
                ? RandomPort(request.Protocol, hostIp, taken, options)
                : Enumerable.Range(request.FirstHostPort, request.LastHostPort - request.FirstHostPort + 1)
                      .Cast<int?>().FirstOrDefault(p => IsFree(request.Protocol, hostIp, p!.Value, taken))
                  ?? throw new ConflictException(
                      $"Bind for {(hostIp.Length > 0 ? hostIp : "0.0.0.0")}:{PortText(request)} failed: port is already allocated");
            var record = new PublishedPortRecord
            {
                ContainerId = containerId, Protocol = request.Protocol, ContainerPort = request.ContainerPort, HostIp = hostIp, HostPort = port,
            };
            taken.Add(record);
            result.Add(record);
        }
        return result;
    }

    private static string PortText(PortRequest request) =>
        request.FirstHostPort == request.LastHostPort ? $"{request.FirstHostPort}" : $"{request.FirstHostPort}-{request.LastHostPort}";

    private static int RandomPort(string protocol, string hostIp, List<PublishedPortRecord> taken, NetworkingOptions options)
    {
        var count = options.EphemeralPortLast - options.EphemeralPortFirst + 1;
        var start = RandomNumberGenerator.GetInt32(count);
        for (var i = 0; i < count; i++)
        {
            var port = options.EphemeralPortFirst + (start + i) % count;
            if (IsFree(protocol, hostIp, port, taken))
                return port;
        }
        throw new UnavailableException($"no free host port for {protocol} in {options.EphemeralPortFirst}-{options.EphemeralPortLast}");
    }

    private static bool IsFree(string protocol, string hostIp, int port, List<PublishedPortRecord> taken) =>
        !taken.Any(t => t.Protocol == protocol && t.HostPort == port && (t.HostIp.Length == 0 || hostIp.Length == 0 || t.HostIp == hostIp))
        && HostCanBind(protocol, hostIp, port);

    /// <summary>Nothing on the host holds the port: a DNAT rule would otherwise hide that program's port.</summary>
    private static bool HostCanBind(string protocol, string hostIp, int port)
    {
        if (protocol == "sctp")
            return true;
        var address = hostIp.Length > 0 ? IPAddress.Parse(hostIp) : IPAddress.Any;
        using var socket = protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable)
        {
            throw new InvalidArgumentException($"cannot publish on {hostIp}:{port}: {hostIp} is not an address of this host");
        }
    }
}
