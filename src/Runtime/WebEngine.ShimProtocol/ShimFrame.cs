using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WebEngine.ShimProtocol;

/// <summary>
/// The message framing: a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
/// Both sides share these helpers so that the shim's blocking fd code and the engine's async streams agree.
/// </summary>
public static class ShimFrame
{
    public const int HeaderSize = 4;

    /// <summary>Larger frames are a protocol error: no message comes near it, and it bounds what a peer can make us allocate.</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>The whole frame (header and JSON) for <paramref name="message"/>.</summary>
    public static byte[] Encode<T>(T message, JsonTypeInfo<T> typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        var frame = new byte[HeaderSize + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame, HeaderSize);
        return frame;
    }

    /// <summary>The payload length announced by a frame header; throws on a length the protocol does not allow.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 0 || length > MaxPayload)
            throw new ShimProtocolException($"frame length {length} is outside 0..{MaxPayload}");
        return length;
    }

    public static T Decode<T>(ReadOnlySpan<byte> payload, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, typeInfo) ?? throw new ShimProtocolException("frame holds JSON null");
        }
        catch (JsonException e)
        {
            throw new ShimProtocolException($"frame is not a valid {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>Reads one frame from a stream; null at a clean end of stream before a header.</summary>
    public static async ValueTask<T?> ReadAsync<T>(Stream stream, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var header = new byte[HeaderSize];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
            return null;
        var payload = new byte[PayloadLength(header)];
        if (!await ReadExactlyOrEndAsync(stream, payload, cancellationToken))
            throw new ShimProtocolException("connection closed in the middle of a frame");
        return Decode(payload, typeInfo);
    }

    public static ValueTask WriteAsync<T>(Stream stream, T message, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encode(message, typeInfo), cancellationToken);

    private static async ValueTask<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
                return read == 0 ? false : throw new ShimProtocolException("connection closed in the middle of a frame");
            read += n;
        }
        return true;
    }
}

/// <summary>A peer sent something the shim protocol does not allow.</summary>
public sealed class ShimProtocolException(string message) : Exception(message);
