using System.Net.Sockets;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Shims;

/// <summary>One connection to a shim's socket, greeted with hello; requests on it are answered in order.</summary>
internal sealed class ShimConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private ShimConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public ShimResponse? Hello { get; private set; }

    /// <summary>The connection's stream, for the raw attach mode that follows an attach response.</summary>
    public NetworkStream Stream => _stream;

    public Socket Socket => _socket;

    public static async Task<ShimConnection> OpenAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new ShimConnection(socket);
        try
        {
            var hello = await connection.RequestAsync(new ShimRequest { Op = ShimOperations.Hello, Version = ShimProtocolVersion.Current }, cancellationToken);
            if (!hello.Ok)
                throw new ShimProtocolException($"shim at {socketPath} refused hello: {hello.Error}");
            connection.Hello = hello;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one request and reads its response; a closed connection is an <see cref="IOException"/>.</summary>
    public async Task<ShimResponse> RequestAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        await ShimFrame.WriteAsync(_stream, request, ShimJsonContext.Default.ShimRequest, cancellationToken);
        return await ShimFrame.ReadAsync(_stream, ShimJsonContext.Default.ShimResponse, cancellationToken)
               ?? throw new IOException($"the shim closed the connection before answering {request.Op}");
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
