using System.Buffers.Binary;

namespace WebEngine.ShimProtocol;

/// <summary>
/// The attach stream's frames from shim to client: an 8-byte header (kind, three zero bytes, 4-byte big-endian
/// length) and the payload. Kinds 1 and 2 carry stdout and stderr bytes exactly like Docker's multiplexed stream,
/// so the API can forward them unchanged; kind 3 ends the stream with the process's final status as JSON.
/// </summary>
public static class StreamFrame
{
    public const int HeaderSize = 8;

    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Exit = 3;

    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[0] = kind;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteInt32BigEndian(header[4..], length);
    }

    public static (byte Kind, int Length) ReadHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (header[0] is < Stdout or > Exit || length < 0 || length > ShimFrame.MaxPayload)
            throw new ShimProtocolException($"bad stream frame header: kind {header[0]}, length {length}");
        return (header[0], length);
    }
}
