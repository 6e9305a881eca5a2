using System.Net.Sockets;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Shims;

/// <summary>
/// A live attach to a process in a shim: output chunks in the order the process wrote them, each tagged stdout or
/// stderr, then the final status; writes go to the process's stdin. Several may be open at once.
/// </summary>
public sealed class ShimAttachStream : IAsyncDisposable
{
    private readonly ShimConnection _connection;
    private readonly byte[] _header = new byte[StreamFrame.HeaderSize];

    internal ShimAttachStream(ShimConnection connection, ProcessStatus initialStatus)
    {
        _connection = connection;
        InitialStatus = initialStatus;
    }

    /// <summary>The process's status when the attach began.</summary>
    public ProcessStatus InitialStatus { get; }

    /// <summary>The final status, once <see cref="ReadAsync"/> has returned null because the process ended.</summary>
    public ProcessStatus? ExitStatus { get; private set; }

    /// <summary>The next output chunk, or null at the end (then <see cref="ExitStatus"/> says how the process ended, unless the shim went away).</summary>
    public async ValueTask<ShimOutput?> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (!await ReadExactlyAsync(_header, cancellationToken))
            return null;
        var (kind, length) = StreamFrame.ReadHeader(_header);
        var payload = new byte[length];
        if (!await ReadExactlyAsync(payload, cancellationToken))
            throw new IOException("the shim closed the attach stream in the middle of a frame");
        if (kind == StreamFrame.Exit)
        {
            ExitStatus = ShimFrame.Decode(payload, ShimJsonContext.Default.ProcessStatus);
            return null;
        }
        return new ShimOutput(kind == StreamFrame.Stderr ? ShimStream.Stderr : ShimStream.Stdout, payload);
    }

    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _connection.Stream.WriteAsync(data, cancellationToken);

    /// <summary>Ends this client's input (a half-close); with stdinOnce the process's stdin is closed too. Output keeps coming.</summary>
    public void CompleteStdin() => _connection.Socket.Shutdown(SocketShutdown.Send);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async ValueTask<bool> ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _connection.Stream.ReadAsync(buffer[read..], cancellationToken);
            }
            catch (IOException) when (read == 0)
            {
                return false;
            }
            if (n == 0)
                return read == 0 ? false : throw new IOException("the shim closed the attach stream in the middle of a frame");
            read += n;
        }
        return true;
    }
}

/// <summary>Which of a process's output streams a chunk came from (a terminal's output is stdout).</summary>
public enum ShimStream
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>A chunk of a process's output.</summary>
public sealed record ShimOutput(ShimStream Stream, byte[] Data);

/// <summary>What an attach asks for.</summary>
public sealed record ShimAttachOptions(bool Stdin = false, bool Stdout = true, bool Stderr = true, bool StdinOnce = false);
