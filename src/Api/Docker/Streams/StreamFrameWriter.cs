using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using WebEngine.Engine.Shims;

namespace WebEngine.Api.Docker.Streams;

/// <summary>Docker's stream kinds in a multiplexed frame header (`moby:pkg/stdcopy`).</summary>
public enum DockerStreamKind : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
    /// <summary>An error from the daemon; the client returns it as an error.</summary>
    SystemError = 3,
}

/// <summary>
/// Writes a process's output as Docker sends it: 8-byte framed chunks (stream kind, three zeros, big-endian length)
/// when there is no terminal, the bare bytes when there is one. Each chunk is flushed at once.
/// </summary>
public sealed class StreamFrameWriter(Stream output, bool multiplexed)
{
    public const int HeaderSize = 8;

    public bool Multiplexed { get; } = multiplexed;

    public ValueTask WriteAsync(ShimOutput chunk, CancellationToken cancellationToken) =>
        WriteAsync(chunk.Stream == ShimStream.Stderr ? DockerStreamKind.Stderr : DockerStreamKind.Stdout, chunk.Data, cancellationToken);

    public async ValueTask WriteAsync(DockerStreamKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.IsEmpty)
            return;
        if (!Multiplexed)
        {
            await output.WriteAsync(payload, cancellationToken);
            await output.FlushAsync(cancellationToken);
            return;
        }
        // Header and payload in one write: one frame never straddles two socket writes.
        var frame = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            WriteHeader(frame, kind, payload.Length);
            payload.Span.CopyTo(frame.AsSpan(HeaderSize));
            await output.WriteAsync(frame.AsMemory(0, HeaderSize + payload.Length), cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>
    /// One frame of text into a buffered writer (the log endpoint batches its frames and flushes them itself); the bare
    /// text for a terminal (<paramref name="kind"/> null).
    /// </summary>
    public static void Write(PipeWriter writer, DockerStreamKind? kind, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var header = kind is null ? 0 : HeaderSize;
        var span = writer.GetSpan(header + length);
        if (kind is { } framed)
            WriteHeader(span, framed, length);
        Encoding.UTF8.GetBytes(text, span[header..]);
        writer.Advance(header + length);
    }

    public static void WriteHeader(Span<byte> header, DockerStreamKind kind, int length)
    {
        header[0] = (byte)kind;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..HeaderSize], checked((uint)length));
    }
}
