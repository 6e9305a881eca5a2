using System.Formats.Tar;
using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>
/// docker save, in the layout Docker 25 and later write: one tar that is at once an OCI image layout (oci-layout,
/// index.json, blobs/sha256) and a Docker archive (manifest.json, repositories) whose paths point at the same blobs.
/// So Docker's `docker load`, older loaders that only read manifest.json, and OCI tools (skopeo oci-archive:) all read it.
/// </summary>
public sealed class ImageArchiveWriter(ImageService images)
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes the named images. Layers are stored uncompressed under their diff id, as Docker does (a Docker archive's
    /// layers are tars, and a loader checks them against the config's diff ids); the OCI manifest therefore lists the
    /// uncompressed blobs, and is the stored manifest only when that already was so. An image named by tag carries
    /// that tag; one named by id carries all its tags.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(names, cancellationToken);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteDirectoryAsync(writer, "blobs/", cancellationToken);
        await WriteDirectoryAsync(writer, "blobs/sha256/", cancellationToken);
        var written = new HashSet<Digest>();
        var index = new OciIndex { MediaType = MediaTypes.OciIndex };
        var entries = new List<DockerArchiveEntry>();
        var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (image, tags) in selected)
        {
            var layers = new List<OciDescriptor>();
            foreach (var layer in image.Layers)
                layers.Add(await WriteUncompressedLayerAsync(writer, layer, written, cancellationToken));
            var config = Digest.Parse(image.Id);
            if (written.Add(config))
                await WriteFileAsync(writer, BlobPath(config), images.Content.PathOf(config), cancellationToken);
            var (json, mediaType, manifest) = await ManifestAsync(image, layers, cancellationToken);
            if (written.Add(manifest))
                await WriteBytesAsync(writer, BlobPath(manifest), json, cancellationToken);

            foreach (var reference in tags.Select(ImageReference.ParseNormalized))
            {
                var annotations = new Dictionary<string, string> { ["io.containerd.image.name"] = reference.ToString() };
                if (reference.Tag is not null)
                    annotations["org.opencontainers.image.ref.name"] = reference.Tag;
                index.Manifests.Add(new OciDescriptor { MediaType = mediaType, Digest = manifest.ToString(), Size = json.Length, Annotations = annotations });
                if (reference.Tag is { } tag)
                {
                    var repository = repositories.TryGetValue(reference.FamiliarRepository, out var existing)
                        ? existing : repositories[reference.FamiliarRepository] = new(StringComparer.Ordinal);
                    repository[tag] = layers.Count == 0 ? config.Hex : Digest.Parse(layers[^1].Digest).Hex;
                }
            }
            if (tags.Count == 0)
                index.Manifests.Add(new OciDescriptor { MediaType = mediaType, Digest = manifest.ToString(), Size = json.Length });
            entries.Add(new DockerArchiveEntry
            {
                Config = BlobPath(config),
                RepoTags = tags.Count == 0 ? null : tags,
                Layers = layers.Select(l => BlobPath(Digest.Parse(l.Digest))).ToList(),
            });
        }
        await WriteBytesAsync(writer, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.OciIndex), cancellationToken);
        await WriteBytesAsync(writer, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(entries, ImageJsonContext.Default.ListDockerArchiveEntry), cancellationToken);
        if (repositories.Count > 0)
        {
            await WriteBytesAsync(writer, "repositories",
                JsonSerializer.SerializeToUtf8Bytes(repositories, ImageJsonContext.Default.DictionaryStringDictionaryStringString), cancellationToken);
        }
        await WriteBytesAsync(writer, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Default.OciLayoutFile), cancellationToken);
    }

    /// <summary>The stored manifest when it already lists exactly the uncompressed blobs written, otherwise a new OCI manifest.</summary>
    private async Task<(byte[] Json, string MediaType, Digest Digest)> ManifestAsync(ImageDetails image, List<OciDescriptor> layers, CancellationToken cancellationToken)
    {
        if (image.Layers.All(l => l.BlobDigest == l.DiffId))
            return await ImageManifests.ForImageAsync(image, images.Content, cancellationToken);
        var configDigest = Digest.Parse(image.Id);
        var manifest = new OciManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = image.Id, Size = images.Content.SizeOf(configDigest) },
            Layers = layers,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.OciManifest);
        return (json, MediaTypes.OciManifest, Digest.Of(json));
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

    /// <summary>
    /// Writes a layer as blobs/sha256/&lt;diff id&gt;: the blob itself when it is stored uncompressed, otherwise expanded to a
    /// temp file first (a tar entry needs its size up front) and checked against the diff id.
    /// </summary>
    private async Task<OciDescriptor> WriteUncompressedLayerAsync(TarWriter writer, ImageLayerDetails layer, HashSet<Digest> written, CancellationToken cancellationToken)
    {
        var diffId = Digest.Parse(layer.DiffId);
        var blob = Digest.Parse(layer.BlobDigest);
        if (blob == diffId)
        {
            if (written.Add(diffId))
                await WriteFileAsync(writer, BlobPath(diffId), images.Content.PathOf(blob), cancellationToken);
            return new OciDescriptor { MediaType = MediaTypes.OciLayer, Digest = layer.DiffId, Size = images.Content.SizeOf(blob) };
        }
        var temp = Path.Combine(images.Options.DataRoot, "tmp", "save-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        try
        {
            await using (var source = new HashingStream(LayerCompression.OpenDecompressed(images.Content.OpenRead(blob))))
            {
                await using (var target = File.Create(temp))
                    await source.CopyToAsync(target, cancellationToken);
                var digest = await source.DrainAndGetDigestAsync(cancellationToken);
                if (digest != diffId)
                    throw new InvalidOperationException($"layer {blob} uncompresses to {digest}, not to its diff id {diffId}: the content store is damaged");
            }
            var size = new FileInfo(temp).Length;
            if (written.Add(diffId))
                await WriteFileAsync(writer, BlobPath(diffId), temp, cancellationToken);
            return new OciDescriptor { MediaType = MediaTypes.OciLayer, Digest = layer.DiffId, Size = size };
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string BlobPath(Digest digest) => $"blobs/sha256/{digest.Hex}";

    private static async Task WriteDirectoryAsync(TarWriter writer, string name, CancellationToken cancellationToken) =>
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name) { Mode = DirectoryMode, ModificationTime = Epoch }, cancellationToken);

    private static async Task WriteFileAsync(TarWriter writer, string name, string path, CancellationToken cancellationToken)
    {
        await using var data = File.OpenRead(path);
        await writer.WriteEntryAsync(Entry(name, data), cancellationToken);
    }

    private static async Task WriteBytesAsync(TarWriter writer, string name, byte[] bytes, CancellationToken cancellationToken) =>
        await writer.WriteEntryAsync(Entry(name, new MemoryStream(bytes)), cancellationToken);

    private static PaxTarEntry Entry(string name, Stream data) => new(TarEntryType.RegularFile, name)
    {
        DataStream = data, Mode = FileMode, ModificationTime = Epoch,
    };
}
