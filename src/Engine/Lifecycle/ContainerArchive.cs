using System.Formats.Tar;
using System.IO.Compression;
using WebEngine.Engine.Images;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// What docker cp's stat says about a path in a container (Docker's ContainerPathStat): Mode has Go's os.FileMode
/// bits (the CLI tests them), LinkTarget is the resolved container path of a symlink.
/// </summary>
public sealed record ContainerPathStat(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget);

/// <summary>docker cp into a container: PUT archive's options.</summary>
public sealed record ArchiveExtractOptions
{
    /// <summary>Refuse to replace a directory by a non-directory or the reverse.</summary>
    public bool NoOverwriteDirNonDir { get; init; }

    /// <summary>
    /// copyUIDGID: everything extracted is owned by the container's user (Config.User) when it names one. Without it,
    /// or when the container has no user, each entry keeps the owner the archive gives it, as with dockerd.
    /// </summary>
    public bool CopyUidGid { get; init; }

    /// <summary>The owner every entry gets (the container's user, resolved by the caller for copyUIDGID); null: the archive's.</summary>
    public (int Uid, int Gid)? Owner { get; init; }
}

/// <summary>Tar streams of a container's files (docker cp out, docker export) and their extraction into it (docker cp in).</summary>
internal static class ContainerArchive
{
    // Go's os.FileMode type and special bits, as ContainerPathStat.Mode carries them.
    private const uint GoModeDir = 1u << 31;
    private const uint GoModeSymlink = 1u << 27;
    private const uint GoModeDevice = 1u << 26;
    private const uint GoModeNamedPipe = 1u << 25;
    private const uint GoModeSocket = 1u << 24;
    private const uint GoModeSetuid = 1u << 23;
    private const uint GoModeSetgid = 1u << 22;
    private const uint GoModeCharDevice = 1u << 21;
    private const uint GoModeSticky = 1u << 20;

    public static ContainerPathStat Stat(ContainerFileSystem files, string requestedPath, string containerId)
    {
        var path = ContainerFileSystem.Clean(requestedPath);
        using var entry = files.Entry(files.Resolve(path, followFinal: false));
        var status = entry?.Stat() ?? throw NotFound(requestedPath, containerId);
        return new ContainerPathStat(
            path == "/" ? "/" : Path.GetFileName(path),
            status.Type == ContainerFileSystem.RegularType ? status.Size : status.Type == ContainerFileSystem.DirectoryType ? 4096 : 0,
            GoMode(status.Mode),
            status.Mtime,
            status.Type == ContainerFileSystem.SymlinkType ? files.Resolve(path, followFinal: true) : "");
    }

    /// <summary>
    /// Writes the tar of a path as Docker's GET archive does: entries named from the path's last component (the
    /// contents only for "dir/."), symlinks as links (the last one followed only with a trailing "/" or "/."),
    /// mounts inside the tree included.
    /// </summary>
    public static async Task WriteAsync(ContainerFileSystem files, string requestedPath, string containerId, Stream output, CancellationToken cancellationToken)
    {
        var contentsOnly = requestedPath.EndsWith("/.", StringComparison.Ordinal);
        var path = ContainerFileSystem.Clean(requestedPath);
        var resolved = files.Resolve(path, followFinal: contentsOnly || requestedPath.EndsWith('/'));
        using (var entry = files.Entry(resolved))
        {
            if (entry?.Stat() is null)
                throw NotFound(requestedPath, containerId);
        }
        var name = contentsOnly ? "." : path == "/" ? "." : Path.GetFileName(path);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteTreeAsync(writer, files, resolved, name, cancellationToken);
    }

    /// <summary>docker export: the container's whole rootfs (without its mounts), entries relative to "/".</summary>
    public static async Task ExportAsync(ContainerFileSystem rootfs, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        using var root = rootfs.Entry("/") ?? throw new ConflictException("the container's root file system is gone");
        foreach (var child in Children(root))
            await WriteTreeAsync(writer, rootfs, "/" + child, child, cancellationToken);
    }

    private static async Task WriteTreeAsync(TarWriter writer, ContainerFileSystem files, string containerPath, string entryName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<string> children;
        using (var entry = files.Entry(containerPath))
        {
            if (entry?.Stat() is not { } status || status.Type == ContainerFileSystem.SocketType)
                return; // gone meanwhile, or a socket (tar has no such entry)
            if (status.Type != ContainerFileSystem.DirectoryType)
            {
                await WriteEntryAsync(writer, entry, status, entryName, cancellationToken);
                return;
            }
            await WriteEntryAsync(writer, entry, status, entryName == "." ? "./" : entryName + "/", cancellationToken);
            children = Children(entry);
        }
        foreach (var child in children)
            await WriteTreeAsync(writer, files, ContainerFileSystem.Join(containerPath, child), entryName == "." ? child : entryName + "/" + child, cancellationToken);
    }

    /// <summary>One tar entry from what statx said; a regular file's data is read through a handle that never follows a symlink.</summary>
    private static async Task WriteEntryAsync(TarWriter writer, ConfinedEntry entry, ConfinedFileStat status, string name, CancellationToken cancellationToken)
    {
        var type = TarTypeOf(status.Type);
        if (type is null)
            return;
        var tar = new PaxTarEntry(type.Value, name)
        {
            Mode = (UnixFileMode)(status.Mode & 0xFFF),
            Uid = status.Uid,
            Gid = status.Gid,
            ModificationTime = status.Mtime,
        };
        if (type == TarEntryType.SymbolicLink)
        {
            if (entry.ReadLink() is not { } target)
                return; // replaced meanwhile
            tar.LinkName = target;
        }
        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            tar.DeviceMajor = status.RdevMajor;
            tar.DeviceMinor = status.RdevMinor;
        }
        if (type != TarEntryType.RegularFile)
        {
            await writer.WriteEntryAsync(tar, cancellationToken);
            return;
        }
        var handle = entry.OpenNoFollow(ConfinedPathInterop.ORdonly);
        if (handle is null)
            return; // removed meanwhile
        await using var data = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        tar.DataStream = data;
        await writer.WriteEntryAsync(tar, cancellationToken);
    }

    /// <summary>The tar entry type of a file type (S_IFMT bits); null for a socket, which tar has no entry for.</summary>
    internal static TarEntryType? TarTypeOf(uint fileType) => fileType switch
    {
        ContainerFileSystem.DirectoryType => TarEntryType.Directory,
        ContainerFileSystem.SymlinkType => TarEntryType.SymbolicLink,
        ContainerFileSystem.RegularType => TarEntryType.RegularFile,
        FileSystemInterop.S_IFIFO => TarEntryType.Fifo,
        FileSystemInterop.S_IFCHR => TarEntryType.CharacterDevice,
        FileSystemInterop.S_IFBLK => TarEntryType.BlockDevice,
        _ => null,
    };

    /// <summary>The names in a directory, listed through a handle of it (so a directory swapped for a symlink meanwhile is not followed).</summary>
    private static List<string> Children(ConfinedEntry directory)
    {
        using var handle = directory.OpenNoFollow(ConfinedPathInterop.OPath | ConfinedPathInterop.ODirectory);
        return handle is null ? [] : Children(handle);
    }

    private static List<string> Children(Microsoft.Win32.SafeHandles.SafeFileHandle directory) =>
        new DirectoryInfo($"/proc/self/fd/{directory.DangerousGetHandle()}")
            .EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(i => i.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Extracts a tar (plain or gzip) into the directory <paramref name="requestedPath"/> names. Every entry is placed
    /// inside the container: names that climb out of the destination are refused, directories on the way are
    /// resolved in the container's scope, and each file is created through a handle of its directory.
    /// </summary>
    public static async Task ExtractAsync(ContainerFileSystem files, string requestedPath, string containerId, Stream input,
        ArchiveExtractOptions options, CancellationToken cancellationToken)
    {
        var destination = files.Resolve(ContainerFileSystem.Clean(requestedPath), followFinal: true);
        using (var entry = files.Entry(destination))
        {
            var destinationType = entry?.Stat()?.Type ?? throw NotFound(requestedPath, containerId);
            if (destinationType != ContainerFileSystem.DirectoryType)
                throw new InvalidArgumentException($"extraction point is not a directory: {requestedPath}");
        }
        if (!files.IsWritable(destination))
            throw ReadOnly(destination);

        await using var tar = await DecompressedAsync(input, cancellationToken);
        using var reader = new TarReader(tar, leaveOpen: true);
        var directoryTimes = new List<(string ContainerPath, DateTimeOffset Time)>();
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                continue;
            var relative = RelativeName(entry.Name);
            if (relative.Count == 0)
                continue; // "./": the destination itself
            var parent = EnsureDirectory(files, destination, relative.SkipLast(1), requestedPath);
            var containerTarget = ContainerFileSystem.Join(parent, relative[^1]);
            if (!files.IsWritable(parent))
                throw ReadOnly(containerTarget);
            using var target = files.Entry(containerTarget) ?? throw new InvalidArgumentException($"{parent} disappeared while extracting into it");
            await ExtractEntryAsync(files, destination, entry, target, containerTarget, options, cancellationToken);
            if (entry.EntryType == TarEntryType.Directory)
                directoryTimes.Add((containerTarget, entry.ModificationTime));
        }
        // Directory times last: the entries extracted into a directory changed its mtime.
        foreach (var (containerPath, time) in directoryTimes)
        {
            using var directory = files.Entry(containerPath);
            if (directory is not null)
                FileSystemInterop.Lutimes(directory.Path, time, time);
        }
    }

    private static async Task ExtractEntryAsync(ContainerFileSystem files, string destination, TarEntry entry, ConfinedEntry target, string containerTarget,
        ArchiveExtractOptions options, CancellationToken cancellationToken)
    {
        var host = target.Path;
        ClearTarget(target, entry.EntryType == TarEntryType.Directory, options.NoOverwriteDirNonDir, containerTarget);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (target.Stat() is null)
                    Directory.CreateDirectory(host);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                // O_CREAT|O_EXCL: a symlink put there meanwhile makes this fail instead of being followed.
                await using (var file = new FileStream(host, FileMode.CreateNew, FileAccess.Write))
                {
                    if (entry.DataStream is { } data)
                        await data.CopyToAsync(file, cancellationToken);
                }
                break;
            case TarEntryType.SymbolicLink:
                File.CreateSymbolicLink(host, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var linked = RelativeName(entry.LinkName);
                using (var source = files.Entry(files.Resolve(destination + "/" + string.Join('/', linked), followFinal: false)))
                {
                    if (source?.Stat()?.Type is not ContainerFileSystem.RegularType)
                        throw new InvalidArgumentException($"invalid archive: hard link {entry.Name} points at {entry.LinkName}, which is not a file extracted before it");
                    FileSystemInterop.Link(source.Path, host);
                }
                break;
            case TarEntryType.Fifo:
                FileSystemInterop.Mknod(host, FileSystemInterop.S_IFIFO, (int)entry.Mode, 0, 0);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice when entry is PosixTarEntry device:
                FileSystemInterop.Mknod(host, entry.EntryType == TarEntryType.CharacterDevice ? FileSystemInterop.S_IFCHR : FileSystemInterop.S_IFBLK,
                    (int)entry.Mode, device.DeviceMajor, device.DeviceMinor);
                break;
            default:
                throw new InvalidArgumentException($"invalid archive: entry {entry.Name} has the unsupported type {entry.EntryType}");
        }
        // The owner before the mode: chown clears the setuid and setgid bits.
        FileSystemInterop.Lchown(host, options.Owner?.Uid ?? entry.Uid, options.Owner?.Gid ?? entry.Gid);
        if (entry.EntryType != TarEntryType.SymbolicLink)
            ChmodNoFollow(target, (int)entry.Mode);
        if (entry.EntryType != TarEntryType.Directory)
            FileSystemInterop.Lutimes(host, entry.ModificationTime, entry.ModificationTime);
    }

    /// <summary>chmod of the file itself: through an O_PATH handle of it, so a symlink swapped in meanwhile is never followed.</summary>
    private static void ChmodNoFollow(ConfinedEntry target, int mode)
    {
        using var handle = target.OpenNoFollow(ConfinedPathInterop.OPath);
        if (handle is null || ConfinedPathInterop.Stat(handle, "")?.Type is not { } type || type == ContainerFileSystem.SymlinkType)
            return;
        FileSystemInterop.Chmod($"/proc/self/fd/{handle.DangerousGetHandle()}", mode);
    }

    /// <summary>An entry's name as components below the destination; a name that climbs out of it is refused.</summary>
    private static List<string> RelativeName(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw new InvalidArgumentException($"invalid archive: the entry {name} is outside the destination directory");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return parts;
    }

    /// <summary>Walks (and creates) the entry's parent directories one at a time, each resolved inside the container.</summary>
    private static string EnsureDirectory(ContainerFileSystem files, string destination, IEnumerable<string> components, string requestedPath)
    {
        var current = destination;
        foreach (var component in components)
        {
            current = files.Resolve(ContainerFileSystem.Join(current, component), followFinal: true);
            using var entry = files.Entry(current) ?? throw new InvalidArgumentException($"cannot extract into {current} below {requestedPath}: its parent is gone");
            switch (entry.Stat()?.Type)
            {
                case null:
                    if (!files.IsWritable(current))
                        throw ReadOnly(current);
                    Directory.CreateDirectory(entry.Path);
                    break;
                case ContainerFileSystem.DirectoryType:
                    break;
                default:
                    throw new InvalidArgumentException($"cannot extract into {current} below {requestedPath}: not a directory");
            }
        }
        return current;
    }

    /// <summary>Makes room for an entry: an existing non-directory (a symlink itself, never its target) is removed.</summary>
    private static void ClearTarget(ConfinedEntry target, bool isDirectory, bool noOverwriteDirNonDir, string containerPath)
    {
        var existing = target.Stat()?.Type;
        if (existing is null || (existing == ContainerFileSystem.DirectoryType && isDirectory))
            return;
        if (existing == ContainerFileSystem.DirectoryType)
        {
            if (noOverwriteDirNonDir)
                throw new InvalidArgumentException($"cannot overwrite directory \"{containerPath}\" with non-directory");
            DeleteTree(target);
            return;
        }
        if (isDirectory && noOverwriteDirNonDir)
            throw new InvalidArgumentException($"cannot overwrite non-directory \"{containerPath}\" with directory");
        File.Delete(target.Path);
    }

    /// <summary>rm -r through directory handles: a directory swapped for a symlink meanwhile is unlinked, never followed.</summary>
    private static void DeleteTree(ConfinedEntry entry)
    {
        if (entry.Stat()?.Type == ContainerFileSystem.DirectoryType)
        {
            using var directory = entry.OpenNoFollow(ConfinedPathInterop.OPath | ConfinedPathInterop.ODirectory);
            if (directory is not null)
            {
                foreach (var child in Children(directory))
                    DeleteTree(new ConfinedEntry(directory, child, ownsDirectory: false));
            }
            Directory.Delete(entry.Path);
            return;
        }
        File.Delete(entry.Path);
    }

    private static ForbiddenException ReadOnly(string containerPath) =>
        new($"container rootfs is marked read-only: {containerPath} cannot be written (mount it read-write to copy into it)");

    /// <summary>A tar stream as it comes, or gunzipped when it starts with gzip's magic (dockerd accepts both for archives and build contexts).</summary>
    internal static async Task<Stream> DecompressedAsync(Stream input, CancellationToken cancellationToken)
    {
        var buffered = new BufferedStream(input, 64 * 1024);
        var magic = new byte[2];
        var read = 0;
        while (read < 2)
        {
            var n = await buffered.ReadAsync(magic.AsMemory(read), cancellationToken);
            if (n == 0)
                break;
            read += n;
        }
        var rest = new PrefixedStream(magic.AsMemory(0, read), buffered);
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(rest, CompressionMode.Decompress) : rest;
    }

    private static NotFoundException NotFound(string path, string containerId) =>
        new($"Could not find the file {path} in container {containerId}");

    private static uint GoMode(uint mode)
    {
        var result = mode & 0x1FF;
        result |= (mode & 0xF000) switch
        {
            ContainerFileSystem.DirectoryType => GoModeDir,
            ContainerFileSystem.SymlinkType => GoModeSymlink,
            0x2000 => GoModeDevice | GoModeCharDevice,
            0x6000 => GoModeDevice,
            0x1000 => GoModeNamedPipe,
            ContainerFileSystem.SocketType => GoModeSocket,
            _ => 0,
        };
        if ((mode & 0x800) != 0)
            result |= GoModeSetuid;
        if ((mode & 0x400) != 0)
            result |= GoModeSetgid;
        if ((mode & 0x200) != 0)
            result |= GoModeSticky;
        return result;
    }

    /// <summary>A read-only stream that replays a few bytes already read, then the rest of the inner stream.</summary>
    internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
                return inner.Read(buffer);
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.IsEmpty)
                return await inner.ReadAsync(buffer, cancellationToken);
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer.Span);
            _prefix = _prefix[n..];
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
