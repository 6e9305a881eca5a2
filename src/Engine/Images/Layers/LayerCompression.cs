using System.IO.Compression;
using ZstdSharp;

namespace WebEngine.Engine.Images.Layers;

/// <summary>Recognizes a layer blob's compression by its magic bytes (the media type is only a hint) and undoes it.</summary>
internal static class LayerCompression
{
    /// <summary>Returns a stream of the uncompressed tar; <paramref name="blob"/> must be seekable and is owned by the result.</summary>
    public static Stream OpenDecompressed(Stream blob)
    {
        Span<byte> magic = stackalloc byte[4];
        var n = blob.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        blob.Seek(0, SeekOrigin.Begin);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new GZipStream(blob, CompressionMode.Decompress);
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            return new DecompressionStream(blob);
        return blob;
    }

    /// <summary>The OCI layer media type matching the blob's actual compression.</summary>
    public static string MediaTypeOf(Stream blob)
    {
        Span<byte> magic = stackalloc byte[4];
        blob.Seek(0, SeekOrigin.Begin);
        var n = blob.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        blob.Seek(0, SeekOrigin.Begin);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return Model.MediaTypes.OciLayerGzip;
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            return Model.MediaTypes.OciLayerZstd;
        return Model.MediaTypes.OciLayer;
    }
}
