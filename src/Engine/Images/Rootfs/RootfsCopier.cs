namespace WebEngine.Engine.Images.Rootfs;

/// <summary>
/// The plain-copy fallback for file systems where overlayfs cannot be mounted: layers are copied bottom up into
/// the container's rootfs, applying their overlay-form whiteouts (0/0 devices delete, opaque dirs are emptied).
/// Hard links within a layer become separate copies.
/// </summary>
internal static class RootfsCopier
{
    private const string OpaqueXattr = "trusted.overlay.opaque";

    /// <param name="layers">Unpacked layer directories, bottom first.</param>
    public static void Copy(IReadOnlyList<string> layers, string rootfs, CancellationToken cancellationToken)
    {
        foreach (var layer in layers)
            CopyDirectory(layer, rootfs, cancellationToken);
    }

    private static void CopyDirectory(string source, string target, CancellationToken cancellationToken)
    {
        var directoryTimes = new List<(string Target, DateTime Mtime)>();
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var destination = Path.Combine(target, entry.Name);
            var type = FileSystemInterop.LstatType(entry.FullName);
            if (type == FileSystemInterop.S_IFCHR && FileSystemInterop.IsWhiteoutDevice(entry.FullName))
            {
                Remove(destination);
                continue;
            }
            if (type == FileSystemInterop.S_IFDIR)
            {
                var opaque = FileSystemInterop.Lgetxattr(entry.FullName, OpaqueXattr) is [(byte)'y'];
                if (FileSystemInterop.LstatType(destination) != FileSystemInterop.S_IFDIR || opaque)
                    Remove(destination);
                Directory.CreateDirectory(destination);
                CopyDirectory(entry.FullName, destination, cancellationToken);
                CopyMetadata(entry.FullName, destination, symlink: false);
                directoryTimes.Add((destination, entry.LastWriteTimeUtc));
                continue;
            }
            Remove(destination);
            switch (type)
            {
                case FileSystemInterop.S_IFLNK:
                    File.CreateSymbolicLink(destination, entry.LinkTarget!);
                    break;
                case 0x8000:
                    File.Copy(entry.FullName, destination);
                    break;
                default:
                    var (major, minor) = FileSystemInterop.DeviceNumber(entry.FullName);
                    FileSystemInterop.Mknod(destination, type ?? 0, 0, major, minor);
                    break;
            }
            CopyMetadata(entry.FullName, destination, type == FileSystemInterop.S_IFLNK);
            FileSystemInterop.Lutimes(destination, entry.LastAccessTimeUtc, entry.LastWriteTimeUtc);
        }
        foreach (var (directory, mtime) in directoryTimes)
            FileSystemInterop.Lutimes(directory, mtime, mtime);
    }

    private static void CopyMetadata(string source, string destination, bool symlink)
    {
        var status = FileSystemInterop.Lstat(source) ?? throw new FileNotFoundException("lstat: no such file", source);
        FileSystemInterop.Lchown(destination, status.Uid, status.Gid);
        if (!symlink)
            FileSystemInterop.Chmod(destination, (int)(status.Mode & 0xFFF));
        foreach (var name in FileSystemInterop.Llistxattr(source))
        {
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal))
                continue;
            if (FileSystemInterop.Lgetxattr(source, name) is { } value)
                FileSystemInterop.Lsetxattr(destination, name, value);
        }
    }

    private static void Remove(string path)
    {
        var type = FileSystemInterop.LstatType(path);
        if (type == FileSystemInterop.S_IFDIR)
            Directory.Delete(path, recursive: true);
        else if (type is not null)
            File.Delete(path);
    }
}
