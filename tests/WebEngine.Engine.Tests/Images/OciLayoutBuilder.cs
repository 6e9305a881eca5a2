using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace WebEngine.Engine.Tests.Images;

/// <summary>Writes OCI image layouts by hand, so tests control every byte (and can make them lie).</summary>
internal sealed class OciLayoutBuilder
{
    private readonly string _directory;
    private readonly List<(string Digest, long Size, string MediaType, string DiffId)> _layers = [];

    public OciLayoutBuilder(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    }

    public JsonObject Config { get; } = new()
    {
        ["architecture"] = "amd64",
        ["os"] = "linux",
        ["created"] = "2024-01-01T00:00:00Z",
        ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), ["Cmd"] = new JsonArray("sh") },
    };

    /// <summary>Adds a layer written by <paramref name="write"/>, compressed as asked ("gzip", "zstd" or "none").</summary>
    public OciLayoutBuilder AddLayer(Action<TarWriter> write, string compression = "gzip")
    {
        var tar = TarBytes(write);
        AddRawLayer(tar, compression);
        return this;
    }

    /// <summary>Adds an already built (possibly broken) layer tar.</summary>
    public OciLayoutBuilder AddRawLayer(byte[] tar, string compression = "gzip", byte[]? blobOverride = null, string? diffIdOverride = null)
    {
        var (blob, mediaType) = compression switch
        {
            "gzip" => (Gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip"),
            "zstd" => (new ZstdSharp.Compressor().Wrap(tar).ToArray(), "application/vnd.oci.image.layer.v1.tar+zstd"),
            _ => (tar, "application/vnd.oci.image.layer.v1.tar"),
        };
        blob = blobOverride ?? blob;
        _layers.Add((WriteBlob(blob), blob.Length, mediaType, diffIdOverride ?? Digest(tar)));
        return this;
    }

    /// <summary>Writes config, manifest and index.json; returns the manifest JSON for tests that tamper with it.</summary>
    public JsonObject Build(string? refName, Action<JsonObject>? tamperManifest = null)
    {
        Config["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(_layers.Select(l => (JsonNode)l.DiffId).ToArray()) };
        var config = System.Text.Encoding.UTF8.GetBytes(Config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", WriteBlob(config), config.Length),
            ["layers"] = new JsonArray(_layers.Select(l => (JsonNode)Descriptor(l.MediaType, l.Digest, l.Size)).ToArray()),
        };
        tamperManifest?.Invoke(manifest);
        var manifestBytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var descriptor = Descriptor("application/vnd.oci.image.manifest.v1+json", WriteBlob(manifestBytes), manifestBytes.Length);
        if (refName is not null)
            descriptor["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName };
        var index = new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(descriptor) };
        File.WriteAllText(Path.Combine(_directory, "index.json"), index.ToJsonString());
        return manifest;
    }

    public string WriteBlob(byte[] data)
    {
        var digest = Digest(data);
        File.WriteAllBytes(Path.Combine(_directory, "blobs", "sha256", digest[7..]), data);
        return digest;
    }

    public static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] TarBytes(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            write(writer);
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return buffer.ToArray();
    }

    /// <summary>Packs a directory into a tar file with the members at its top level (what `tar -C dir -cf` makes).</summary>
    public static void TarDirectory(string directory, string tarPath) =>
        TarFile.CreateFromDirectory(directory, tarPath, includeBaseDirectory: false);
}

/// <summary>Shorthands for layer entries.</summary>
internal static class TarWriterExtensions
{
    private static readonly DateTimeOffset Mtime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TarWriter Dir(this TarWriter writer, string name, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, ModificationTime = Mtime });
        return writer;
    }

    public static TarWriter File(this TarWriter writer, string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100,
        int uid = 0, int gid = 0, IEnumerable<KeyValuePair<string, string>>? pax = null)
    {
        var entry = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        entry.Mode = mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = Mtime;
        entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        writer.WriteEntry(entry);
        return writer;
    }

    public static TarWriter Symlink(this TarWriter writer, string name, string target)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = Mtime });
        return writer;
    }

    public static TarWriter HardLink(this TarWriter writer, string name, string target)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Mtime });
        return writer;
    }
}
