using System.Formats.Tar;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Layers;

namespace WebEngine.Engine.Images.Archives;

/// <summary>
/// An image archive (OCI layout tar or `docker save` tar, optionally gzip/zstd) unpacked into a private staging
/// directory. Only regular files and directories are written; symlinks (docker save's v1 `layer.tar` links) are
/// remembered and resolved by name, never created. The directory is removed on dispose.
/// </summary>
internal sealed class StagedArchive : IDisposable
{
    private readonly Dictionary<string, string> _symlinks = new(StringComparer.Ordinal);
    private readonly bool _owned;

    private StagedArchive(string root, bool owned)
    {
        Root = root;
        _owned = owned;
    }

    public string Root { get; }

    /// <summary>Uses an already unpacked directory (an OCI layout directory) in place.</summary>
    public static StagedArchive FromDirectory(string directory) => new(directory, owned: false);

    /// <summary>Extracts <paramref name="archive"/>; every byte written counts against <paramref name="budget"/>.</summary>
    public static async Task<StagedArchive> ExtractAsync(Stream archive, string stagingParent, StagingBudget budget, CancellationToken cancellationToken)
    {
        var staged = new StagedArchive(Path.Combine(stagingParent, "load-" + Guid.NewGuid().ToString("N")), owned: true);
        Directory.CreateDirectory(staged.Root);
        try
        {
            await Task.Run(() => staged.Extract(archive, budget, cancellationToken), cancellationToken);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private void Extract(Stream archive, StagingBudget budget, CancellationToken cancellationToken)
    {
        Stream seekable = archive;
        if (!archive.CanSeek)
        {
            // Compression is recognized by peeking at the magic bytes, which needs a seekable stream.
            seekable = new FileStream(Path.Combine(Root, ".archive"), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = archive.Read(buffer)) > 0)
            {
                budget.Reserve(n);
                seekable.Write(buffer, 0, n);
            }
            seekable.Seek(0, SeekOrigin.Begin);
        }
        try
        {
            using var tar = LayerCompression.OpenDecompressed(seekable);
            using var reader = new TarReader(tar, leaveOpen: true);
            while (reader.GetNextEntry() is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = LayerPath.Normalize(entry.Name, "archive");
                if (name == "" || name == ".archive")
                    continue;
                var path = Path.Combine(Root, name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        if (FileSystemInterop.LstatType(Path.GetDirectoryName(path)!) != FileSystemInterop.S_IFDIR)
                            throw new InvalidArgumentException($"archive entry \"{entry.Name}\" is below something that is not a directory");
                        budget.Reserve(entry.Length);
                        using (var output = new FileStream(path, FileMode.Create, FileAccess.Write))
                            entry.DataStream?.CopyTo(output);
                        break;
                    case TarEntryType.SymbolicLink:
                        _symlinks[name] = entry.LinkName;
                        break;
                    case TarEntryType.HardLink:
                        _symlinks[name] = "/" + LayerPath.Normalize(entry.LinkName, "archive");
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidArgumentException($"image archive is corrupt or truncated: {e.Message}", e);
        }
        finally
        {
            if (!ReferenceEquals(seekable, archive))
                seekable.Dispose();
        }
    }

    public bool Exists(string name) => Resolve(name) is { } path && File.Exists(path);

    /// <summary>The staged file for an archive member name, following remembered links inside the archive only.</summary>
    public string? Resolve(string name)
    {
        var current = LayerPath.Normalize(name, "archive");
        for (var hops = 0; hops < 16; hops++)
        {
            if (!_symlinks.TryGetValue(current, out var target))
            {
                var path = Path.Combine(Root, current);
                return FileSystemInterop.LstatType(path) == 0x8000 ? path : null;
            }
            var slash = current.LastIndexOf('/');
            var joined = target.StartsWith('/') ? target : (slash < 0 ? "" : current[..slash] + "/") + target;
            current = NormalizeWithin(joined) ?? throw new InvalidArgumentException($"archive member \"{name}\" links outside the archive");
        }
        throw new InvalidArgumentException($"archive member \"{name}\": too many levels of links");
    }

    public string Require(string name) =>
        Resolve(name) ?? throw new InvalidArgumentException($"image archive has no member \"{name}\"");

    private static string? NormalizeWithin(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public void Dispose()
    {
        if (_owned && Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}
