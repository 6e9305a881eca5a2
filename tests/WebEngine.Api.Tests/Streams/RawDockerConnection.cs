using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace WebEngine.Api.Tests.Streams;

/// <summary>
/// One connection to the daemon's unix socket, spoken by hand as the docker CLI does for hijacked requests: the request,
/// the response head, then the raw stream both ways.
/// </summary>
public sealed class RawDockerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawDockerConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static RawDockerConnection Open(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        return new RawDockerConnection(socket);
    }

    /// <summary>An HttpClient over the same socket path, for the ordinary JSON requests.</summary>
    public static HttpClient HttpClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://api.moby.localhost"), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Sends a request (with the CLI's upgrade headers when asked) and reads the response head.</summary>
    public async Task<RawResponse> SendAsync(string method, string path, string? body = null, bool upgrade = true)
    {
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n");
        if (upgrade)
            head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        head.Append(body is null ? "Content-Type: text/plain\r\n" : "Content-Type: application/json\r\n");
        head.Append($"Content-Length: {bodyBytes.Length}\r\n\r\n");
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()).Concat(bodyBytes).ToArray());
        return await ReadHeadAsync();
    }

    public async Task WriteAsync(string text) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));

    public async Task WriteAsync(byte[] data) => await _stream.WriteAsync(data);

    /// <summary>The client's half-close, as the CLI does when its stdin ends.</summary>
    public void CloseWrite() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The multiplexed frames until the daemon closes the stream.</summary>
    public async Task<List<(int Stream, string Text)>> ReadFramesToEndAsync(CancellationToken cancellationToken)
    {
        var frames = new List<(int, string)>();
        var header = new byte[8];
        while (await ReadExactlyOrEndAsync(header, cancellationToken))
        {
            Assert.Equal([0, 0, 0], header[1..4]);
            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4))];
            Assert.True(await ReadExactlyOrEndAsync(payload, cancellationToken), "the stream ended in the middle of a frame");
            frames.Add((header[0], Encoding.UTF8.GetString(payload)));
        }
        return frames;
    }

    /// <summary>Joins the frames' text per stream: (stdout, stderr, daemon errors).</summary>
    public async Task<(string Stdout, string Stderr, string SystemError)> ReadOutputToEndAsync(CancellationToken cancellationToken)
    {
        var frames = await ReadFramesToEndAsync(cancellationToken);
        return (Join(1), Join(2), Join(3));
        string Join(int stream) => string.Concat(frames.Where(f => f.Stream == stream).Select(f => f.Text));
    }

    /// <summary>Raw bytes (a terminal's output) until the daemon closes the stream.</summary>
    public async Task<string> ReadRawToEndAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await _stream.CopyToAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads raw bytes until <paramref name="text"/> has been seen.</summary>
    public async Task<string> ReadUntilAsync(string text, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var n = await _stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                throw new EndOfStreamException($"the stream ended before \"{text}\"; got \"{seen}\"");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return seen.ToString();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    private async Task<RawResponse> ReadHeadAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0)
                throw new EndOfStreamException($"the daemon closed the connection after \"{Encoding.ASCII.GetString([.. head])}\"");
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RawResponse(status, headers);
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                return read == 0 ? false : throw new EndOfStreamException("the stream ended in the middle of a frame");
            read += n;
        }
        return true;
    }
}

public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

public static class DockerJson
{
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>() ?? throw new InvalidOperationException("empty JSON body");
}
