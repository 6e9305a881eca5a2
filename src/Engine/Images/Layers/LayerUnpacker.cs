using System.Formats.Tar;
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
    private const int Enotsup = 95;

    private readonly string _root;
    private readonly string _layer;
    private readonly HashSet<string> _knownDirectories = new(StringComparer.Ordinal) { "" };
    private readonly List<(string Path, DateTimeOffset Mtime)> _times = [];
    private readonly PaxXattrTap _xattrs;
    private int _entries;

    private LayerUnpacker(string root, string layer, PaxXattrTap xattrs)
    {
        _root = root;
        _layer = layer;
        _xattrs = xattrs;
    }

    public long UnpackedSize { get; private set; }

    /// <summary>
    /// Unpacks <paramref name="blob"/> (gzip, zstd or plain tar; seekable) into <paramref name="root"/> and returns
    /// the digest of the uncompressed tar (the layer's diff id) and the bytes of its regular files.
    /// </summary>
    public static (Digest DiffId, long Size) Unpack(Stream blob, string root, string layerName, CancellationToken cancellationToken)
    {
        using var tar = new HashingStream(LayerCompression.OpenDecompressed(blob));
        var unpacker = new LayerUnpacker(root, layerName, new PaxXattrTap(tar));
        try
        {
            using (var reader = new TarReader(unpacker._xattrs, leaveOpen: true))
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
        // The tap and the reader walk the same bytes; should they ever disagree, xattrs would land on the wrong file.
        if (++_entries != _xattrs.EntriesSeen)
            throw new InvalidDataException($"entry \"{entry.Name}\" is member {_entries} of the tar, its xattrs were read for member {_xattrs.EntriesSeen}");
        // A global header names no file of the layer (TarReader gives it a made-up absolute name).
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            return;
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
        // Last: chown and writes drop security.capability, so it goes on after both.
        foreach (var (name, value) in _xattrs.CurrentXattrs)
            SetXattr(entry, path, name, value);
        _times.Add((path, entry.ModificationTime));
    }

    private void SetXattr(TarEntry entry, string path, string name, byte[] value)
    {
        // Overlay's own attributes would let a layer redirect lookups or fake whiteouts in the merged view.
        if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal))
            return;
        try
        {
            FileSystemInterop.Lsetxattr(path, name, value);
        }
        catch (IOException e) when (e.HResult == Enotsup)
        {
            // As Docker does: a file system without this xattr namespace cannot hold it, which must not fail the pull.
        }
        catch (IOException e)
        {
            throw new InvalidArgumentException($"layer {_layer}: entry \"{entry.Name}\": xattr {name} cannot be set: {e.Message}", e);
        }
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
