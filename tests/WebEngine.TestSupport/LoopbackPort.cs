using System.Net;
using System.Net.Sockets;

namespace WebEngine.TestSupport;

/// <summary>TCP ports on 127.0.0.1 for what a test starts (a daemon's listener, a registry, a published container port).</summary>
public static class LoopbackPort
{
    /// <summary>A port the kernel just picked and nothing listens on; another process could still take it before the test binds it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
