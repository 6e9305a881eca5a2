using System.Formats.Tar;
using System.Text;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images.Layers;

/// <summary>
/// Applies one layer tar to an empty directory in overlayfs form: `.wh.x` becomes a 0/0 character device,
/// `.wh..wh..opq` the trusted.overlay.opaque=y xattr. Ownership, modes (setuid too), xattrs, links, devices and
/// mtimes are kept. Any entry that would land outside the directory, or be written through a symlink, is refused.
/// </summary>
internal sealed class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private const string XattrPaxPrefix = "SCHILY.xattr.";

    private readonly string _root;
    private readonly string _layer;
    private readonly HashSet<string> _knownDirectories = new(StringComparer.Ordinal) { "" };
    private readonly List<(string Path, DateTimeOffset Mtime)> _times = [];

    private LayerUnpacker(string root, string layer)
    {
        _root = root;
        _layer = layer;
    }

    public long UnpackedSize { get; private set; }

    /// <summary>
    /// Unpacks <paramref name="blob"/> (gzip, zstd or plain tar; seekable) into <paramref name="root"/> and returns
    /// the digest of the uncompressed tar (the layer's diff id) and the bytes of its regular files.
    /// </summary>
    public static (Digest DiffId, long Size) Unpack(Stream blob, string root, string layerName, CancellationToken cancellationToken)
    {
        var unpacker = new LayerUnpacker(root, layerName);
        using var tar = new HashingStream(LayerCompression.OpenDecompressed(blob));
        try
        {
            using (var reader = new TarReader(tar, leaveOpen: true))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    unpacker.Apply(entry);
                }
            }
            var diffId = tar.DrainAndGetDigestAsync(cancellationToken).GetAwaiter().GetResult();
            unpacker.ApplyTimes();
            return (diffId, unpacker.UnpackedSize);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ZstdSharp.ZstdException)
        {
            throw new InvalidArgumentException($"layer {layerName}: corrupt or truncated archive: {e.Message}", e);
        }
    }

    private void Apply(TarEntry entry)
    {
        var name = LayerPath.Normalize(entry.Name, _layer);
        if (name == "")
            return;
        var slash = name.LastIndexOf('/');
        var parent = slash < 0 ? "" : name[..slash];
        var baseName = name[(slash + 1)..];
        EnsureParent(parent, name);
        var parentPath = Full(parent);

        if (baseName == OpaqueWhiteout)
        {
            FileSystemInterop.Lsetxattr(parentPath, "trusted.overlay.opaque", "y"u8.ToArray());
            return;
        }
        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = baseName[WhiteoutPrefix.Length..];
            if (hidden is "" or "." or "..")
                throw new InvalidArgumentException($"layer {_layer}: invalid whiteout \"{entry.Name}\"");
            var target = Path.Combine(parentPath, hidden);
            RemoveExisting(parent == "" ? hidden : parent + "/" + hidden);
            FileSystemInterop.Mknod(target, FileSystemInterop.S_IFCHR, 0, 0, 0);
            FileSystemInterop.Lchown(target, entry.Uid, entry.Gid);
            return;
        }

        var path = Full(name);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (FileSystemInterop.LstatType(path) != FileSystemInterop.S_IFDIR)
                {
                    RemoveExisting(name);
                    Directory.CreateDirectory(path);
                }
                _knownDirectories.Add(name);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(name);
                // Unbuffered: CopyTo brings a pooled buffer, and a buffer per file would churn the GC on big layers.
                using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    entry.DataStream?.CopyTo(output);
                    UnpackedSize += output.Length;
                }
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(name);
                File.CreateSymbolicLink(path, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                RemoveExisting(name);
                FileSystemInterop.Link(HardLinkTarget(entry), path);
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                RemoveExisting(name);
                var type = entry.EntryType switch
                {
                    TarEntryType.CharacterDevice => FileSystemInterop.S_IFCHR,
                    TarEntryType.BlockDevice => FileSystemInterop.S_IFBLK,
                    _ => FileSystemInterop.S_IFIFO,
                };
                var device = entry as PosixTarEntry;
                FileSystemInterop.Mknod(path, type, (int)entry.Mode, device?.DeviceMajor ?? 0, device?.DeviceMinor ?? 0);
                break;
            case TarEntryType.GlobalExtendedAttributes:
                return;
            default:
                throw new InvalidArgumentException($"layer {_layer}: entry \"{entry.Name}\" has unsupported type {entry.EntryType}");
        }
        ApplyMetadata(entry, path);
    }

    private void ApplyMetadata(TarEntry entry, string path)
    {
        var symlink = entry.EntryType == TarEntryType.SymbolicLink;
        FileSystemInterop.Lchown(path, entry.Uid, entry.Gid);
        // chown clears setuid/setgid, so the mode goes on afterwards; a symlink has no mode of its own.
        if (!symlink)
            FileSystemInterop.Chmod(path, (int)entry.Mode);
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (!key.StartsWith(XattrPaxPrefix, StringComparison.Ordinal))
                    continue;
                var xattr = key[XattrPaxPrefix.Length..];
                // Overlay's own attributes would let a layer redirect lookups or fake whiteouts in the merged view.
                if (xattr.StartsWith("trusted.overlay.", StringComparison.Ordinal))
                    continue;
                // System.Formats.Tar hands PAX values over as UTF-8 strings: a binary value (security.capability)
                // arrives with U+FFFD in place of its bytes and cannot be restored, so it is left off rather than
                // written corrupted (which the kernel would refuse, failing the whole layer).
                if (value.Contains('\uFFFD'))
                    continue;
                FileSystemInterop.Lsetxattr(path, xattr, Encoding.UTF8.GetBytes(value));
            }
        }
        _times.Add((path, entry.ModificationTime));
    }

    /// <summary>Sets the mtimes last (children first), because creating an entry changes its directory's mtime.</summary>
    private void ApplyTimes()
    {
        for (var i = _times.Count - 1; i >= 0; i--)
            FileSystemInterop.Lutimes(_times[i].Path, _times[i].Mtime, _times[i].Mtime);
    }

    private string HardLinkTarget(TarEntry entry)
    {
        var target = LayerPath.Normalize(entry.LinkName, _layer);
        var slash = target.LastIndexOf('/');
        if (target == "" || !_knownDirectories.Contains(slash < 0 ? "" : target[..slash]))
            throw new InvalidArgumentException($"layer {_layer}: hard link \"{entry.Name}\" points at \"{entry.LinkName}\", which is not a file of this layer");
        var full = Full(target);
        var type = FileSystemInterop.LstatType(full);
        if (type is null || type == FileSystemInterop.S_IFDIR)
            throw new InvalidArgumentException($"layer {_layer}: hard link \"{entry.Name}\" points at \"{entry.LinkName}\", which is not a file of this layer");
        return full;
    }

    /// <summary>
    /// Makes sure every directory above an entry is a real directory of this layer: a symlink on the way could
    /// lead the write anywhere on the host, so it is refused rather than followed.
    /// </summary>
    private void EnsureParent(string parent, string entryName)
    {
        if (_knownDirectories.Contains(parent))
            return;
        var slash = parent.LastIndexOf('/');
        EnsureParent(slash < 0 ? "" : parent[..slash], entryName);
        var full = Full(parent);
        switch (FileSystemInterop.LstatType(full))
        {
            case null:
                Directory.CreateDirectory(full);
                break;
            case FileSystemInterop.S_IFDIR:
                break;
            case FileSystemInterop.S_IFLNK:
                throw new InvalidArgumentException($"layer {_layer}: entry \"{entryName}\" would be written through the symlink \"{parent}\"");
            default:
                throw new InvalidArgumentException($"layer {_layer}: entry \"{entryName}\" is below \"{parent}\", which is not a directory");
        }
        _knownDirectories.Add(parent);
    }

    private void RemoveExisting(string name)
    {
        var full = Full(name);
        var type = FileSystemInterop.LstatType(full);
        if (type is null)
            return;
        if (type == FileSystemInterop.S_IFDIR)
        {
            Directory.Delete(full, recursive: true);
            _knownDirectories.RemoveWhere(d => d == name || d.StartsWith(name + "/", StringComparison.Ordinal));
        }
        else
        {
            File.Delete(full);
        }
    }

    private string Full(string relative) => relative == "" ? _root : Path.Combine(_root, relative);
}
