using System.Formats.Tar;
using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>docker save: writes one or several images as a Docker archive or as an OCI image layout tar.</summary>
public sealed class ImageArchiveWriter(ImageService images)
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The `docker save` format: manifest.json, the config as &lt;hex&gt;.json and each layer uncompressed as
    /// &lt;diff-id hex&gt;.tar. An image named by tag carries that tag; one named by id carries all its tags.
    /// </summary>
    public async Task SaveDockerArchiveAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(names, cancellationToken);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<DockerArchiveEntry>();
        foreach (var (image, tags) in selected)
        {
            var configName = Digest.Parse(image.Id).Hex + ".json";
            if (written.Add(configName))
                await WriteFileAsync(writer, configName, images.Content.PathOf(Digest.Parse(image.Id)), cancellationToken);
            var layerNames = new List<string>();
            foreach (var layer in image.Layers)
            {
                var name = Digest.Parse(layer.DiffId).Hex + ".tar";
                layerNames.Add(name);
                if (written.Add(name))
                    await WriteUncompressedLayerAsync(writer, name, Digest.Parse(layer.BlobDigest), cancellationToken);
            }
            entries.Add(new DockerArchiveEntry { Config = configName, RepoTags = tags.Count == 0 ? null : tags, Layers = layerNames });
        }
        await WriteBytesAsync(writer, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(entries, ImageJsonContext.Default.ListDockerArchiveEntry), cancellationToken);
    }

    /// <summary>An OCI image layout: oci-layout, index.json (one entry per tag, ref name annotated) and blobs/sha256.</summary>
    public async Task SaveOciLayoutAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(names, cancellationToken);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteBytesAsync(writer, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Default.OciLayoutFile), cancellationToken);
        var written = new HashSet<Digest>();
        var index = new OciIndex { MediaType = MediaTypes.OciIndex };
        foreach (var (image, tags) in selected)
        {
            var (json, mediaType, digest) = await ImageManifests.ForImageAsync(image, images.Content, cancellationToken);
            foreach (var blob in image.Layers.Select(l => Digest.Parse(l.BlobDigest)).Prepend(Digest.Parse(image.Id)))
            {
                if (written.Add(blob))
                    await WriteFileAsync(writer, $"blobs/sha256/{blob.Hex}", images.Content.PathOf(blob), cancellationToken);
            }
            if (written.Add(digest))
                await WriteBytesAsync(writer, $"blobs/sha256/{digest.Hex}", json, cancellationToken);
            var refs = tags.Count == 0 ? [null] : tags.Cast<string?>();
            foreach (var tag in refs)
            {
                var descriptor = new OciDescriptor { MediaType = mediaType, Digest = digest.ToString(), Size = json.Length };
                if (tag is not null)
                {
                    descriptor.Annotations = new()
                    {
                        ["io.containerd.image.name"] = ImageReference.ParseNormalized(tag).ToString(),
                        ["org.opencontainers.image.ref.name"] = tag,
                    };
                }
                index.Manifests.Add(descriptor);
            }
        }
        await WriteBytesAsync(writer, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.OciIndex), cancellationToken);
    }

    private async Task<List<(ImageDetails Image, List<string> Tags)>> SelectAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
            throw new InvalidArgumentException("save: no image named");
        var selected = new List<(ImageDetails Image, List<string> Tags)>();
        foreach (var name in names)
        {
            var image = await images.InspectAsync(name, cancellationToken);
            var byId = image.Id.StartsWith(name.StartsWith("sha256:", StringComparison.Ordinal) ? name : "sha256:" + name, StringComparison.Ordinal);
            var tags = byId ? image.RepoTags.ToList() : [ImageReference.ParseNormalized(name).ToFamiliarString()];
            var existing = selected.FindIndex(s => s.Image.Id == image.Id);
            if (existing >= 0)
                selected[existing].Tags.AddRange(tags.Where(t => !selected[existing].Tags.Contains(t)));
            else
                selected.Add((image, tags));
        }
        return selected;
    }

    /// <summary>A docker archive holds layers uncompressed; a compressed blob is expanded to a temp file first (tar needs the size).</summary>
    private async Task WriteUncompressedLayerAsync(TarWriter writer, string name, Digest blob, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(images.Options.DataRoot, "tmp", "save-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        try
        {
            await using (var source = LayerCompression.OpenDecompressed(images.Content.OpenRead(blob)))
            await using (var target = File.Create(temp))
                await source.CopyToAsync(target, cancellationToken);
            await WriteFileAsync(writer, name, temp, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task WriteFileAsync(TarWriter writer, string name, string path, CancellationToken cancellationToken)
    {
        await using var data = File.OpenRead(path);
        await writer.WriteEntryAsync(Entry(name, data), cancellationToken);
    }

    private static async Task WriteBytesAsync(TarWriter writer, string name, byte[] bytes, CancellationToken cancellationToken) =>
        await writer.WriteEntryAsync(Entry(name, new MemoryStream(bytes)), cancellationToken);

    private static PaxTarEntry Entry(string name, Stream data) => new(TarEntryType.RegularFile, name)
    {
        DataStream = data,
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        ModificationTime = Epoch,
    };
}
