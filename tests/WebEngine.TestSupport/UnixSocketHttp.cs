using System.Net.Sockets;

namespace WebEngine.TestSupport;

/// <summary>HTTP over a daemon's unix socket, as the docker CLI talks to it.</summary>
public static class UnixSocketHttp
{
    /// <summary>A client of the Docker API on <paramref name="socketPath"/>, at version 1.50, with a generous timeout.</summary>
    public static HttpClient DockerClient(string socketPath) => new(Handler(socketPath))
    {
        BaseAddress = new Uri("http://api.moby.localhost/v1.50/"),
        Timeout = TimeSpan.FromSeconds(120),
    };

    /// <summary>A handler whose every connection goes to <paramref name="socketPath"/>, whatever the request's host.</summary>
    public static SocketsHttpHandler Handler(string socketPath) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
