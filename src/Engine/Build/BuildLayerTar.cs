using System.Formats.Tar;
using System.Security.Cryptography;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Build;

/// <summary>
/// What COPY, ADD or WORKDIR puts into a step's container: one tar, rooted at "/", written to a temporary file and
/// extracted into the container as docker cp does. Every entry gets the step's owner (root, or --chown) and, with
/// --chmod, its mode; a directory the image lacks on the way to an entry is added (0755, same owner), one it has is
/// left as it is. ADD's archives are extracted after it, each into its directory, keeping their own owners.
/// </summary>
internal sealed class BuildLayerTar : IAsyncDisposable
{
    private const uint GoModeDir = 1u << 31;
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    private readonly ContainerService _containers;
    private readonly string _containerId;
    private readonly (int Uid, int Gid) _owner;
    private readonly UnixFileMode? _mode;
    private readonly FileStream _file;
    private readonly TarWriter _writer;
    private readonly Dictionary<string, bool> _directories = new(StringComparer.Ordinal) { ["/"] = true };
    private readonly List<(string Directory, Stream Tar)> _archives = [];

    private readonly string _staging;

    /// <param name="staging">Where the tar is written (the data root's tmp/); the file goes when this is disposed.</param>
    public BuildLayerTar(ContainerService containers, string containerId, (int Uid, int Gid) owner, UnixFileMode? mode, string staging)
    {
        _staging = staging;
        _containers = containers;
        _containerId = containerId;
        _owner = owner;
        _mode = mode;
        _file = new FileStream(StagingFile(), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        _writer = new TarWriter(_file, TarEntryFormat.Pax, leaveOpen: true);
    }

    /// <summary>The sha256 of the tar once extracted: what the history entry names the sources by.</summary>
    public string Hash { get; private set; } = "";

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _file.DisposeAsync();
        foreach (var (_, tar) in _archives)
            await tar.DisposeAsync();
    }

    /// <summary>Whether the image has a directory at <paramref name="path"/> (symlinks followed inside the container).</summary>
    public async Task<bool> IsDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        path = Normalize(path);
        if (_directories.TryGetValue(path, out var known))
            return known;
        try
        {
            var stat = await _containers.StatPathAsync(_containerId, path, cancellationToken);
            return (stat.Mode & GoModeDir) != 0;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>The directory at <paramref name="path"/> (and those above it) unless the image has it; modes from <paramref name="host"/> when given.</summary>
    public async Task AddDirectoryAsync(string path, string? host, CancellationToken cancellationToken)
    {
        path = Normalize(path);
        await EnsureParentsAsync(path, cancellationToken);
        if (await ExistsAsync(path, cancellationToken))
            return;
        await WriteDirectoryAsync(path, host is null ? DirectoryMode : File.GetUnixFileMode(host), cancellationToken);
    }

    /// <summary>A file, symlink or directory of the context at <paramref name="path"/> in the container.</summary>
    public async Task AddHostFileAsync(string path, string host, CancellationToken cancellationToken)
    {
        path = Normalize(path);
        await EnsureParentsAsync(path, cancellationToken);
        var info = new FileInfo(host);
        TarEntry entry;
        if (info.LinkTarget is { } link)
            entry = new PaxTarEntry(TarEntryType.SymbolicLink, EntryName(path)) { LinkName = link };
        else if (Directory.Exists(host))
        {
            await WriteDirectoryAsync(path, info.UnixFileMode, cancellationToken);
            return;
        }
        else if (info.Exists)
            entry = new PaxTarEntry(TarEntryType.RegularFile, EntryName(path));
        else
            return;
        entry.Mode = entry.EntryType == TarEntryType.SymbolicLink ? (UnixFileMode)0b111_111_111 : _mode ?? info.UnixFileMode;
        entry.Uid = _owner.Uid;
        entry.Gid = _owner.Gid;
        entry.ModificationTime = info.LastWriteTimeUtc;
        if (entry.EntryType == TarEntryType.RegularFile)
        {
            await using var data = File.OpenRead(host);
            entry.DataStream = data;
            await _writer.WriteEntryAsync(entry, cancellationToken);
        }
        else
            await _writer.WriteEntryAsync(entry, cancellationToken);
        _directories[path] = false;
    }

    /// <summary>ADD of a local archive: its directory is made now, the archive extracted into it after the tar.</summary>
    public async Task AddArchiveAsync(string directory, Stream tar, CancellationToken cancellationToken)
    {
        await AddDirectoryAsync(directory, null, cancellationToken);
        _archives.Add((Normalize(directory), tar));
    }

    /// <summary>
    /// COPY --from: the tar docker cp gives of a path in another image's container (entries named after the path's
    /// last element), renamed to <paramref name="path"/>: a directory's contents go into it, a file becomes it.
    /// </summary>
    public async Task AddContainerTarAsync(string path, bool isDirectory, Func<Stream, CancellationToken, Task> writeTar, CancellationToken cancellationToken)
    {
        path = Normalize(path);
        await using var staged = new FileStream(StagingFile(), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await writeTar(staged, cancellationToken);
        staged.Position = 0;
        if (isDirectory)
            await AddDirectoryAsync(path, null, cancellationToken);
        else
            await EnsureParentsAsync(path, cancellationToken);
        // docker cp names a directory's entries "<name>/…" and a file "<name>": the first element becomes the target.
        string Rename(string name)
        {
            var slash = name.TrimEnd('/').IndexOf('/');
            return isDirectory && slash >= 0 ? path.TrimEnd('/') + "/" + name.TrimEnd('/')[(slash + 1)..] : path;
        }
        await using var reader = new TarReader(staged);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } source)
        {
            if (isDirectory && !source.Name.TrimEnd('/').Contains('/'))
                continue;
            var target = Rename(source.Name);
            var entry = new PaxTarEntry(source.EntryType, EntryName(target))
            {
                Mode = _mode is { } mode && source.EntryType != TarEntryType.SymbolicLink ? mode : source.Mode,
                Uid = _owner.Uid,
                Gid = _owner.Gid,
                ModificationTime = source.ModificationTime,
                DataStream = source.DataStream,
            };
            if (source.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                entry.LinkName = source.EntryType == TarEntryType.HardLink ? EntryName(Rename(source.LinkName)) : source.LinkName;
            await _writer.WriteEntryAsync(entry, cancellationToken);
            _directories[Normalize(target)] = source.EntryType == TarEntryType.Directory;
        }
    }

    /// <summary>Extracts the tar into the container, then the archives ADD named.</summary>
    public async Task ExtractAsync(CancellationToken cancellationToken)
    {
        await _writer.DisposeAsync();
        _file.Position = 0;
        Hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(_file, cancellationToken));
        _file.Position = 0;
        await _containers.ExtractArchiveAsync(_containerId, "/", _file, new ArchiveExtractOptions(), cancellationToken);
        foreach (var (directory, tar) in _archives)
            await _containers.ExtractArchiveAsync(_containerId, directory, tar, new ArchiveExtractOptions(), cancellationToken);
    }

    private async Task EnsureParentsAsync(string path, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(path) ?? "/";
        if (parent == "/" || _directories.ContainsKey(parent))
            return;
        await EnsureParentsAsync(parent, cancellationToken);
        if (!await ExistsAsync(parent, cancellationToken))
            await WriteDirectoryAsync(parent, DirectoryMode, cancellationToken);
    }

    private async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        if (_directories.ContainsKey(path))
            return true;
        try
        {
            var stat = await _containers.StatPathAsync(_containerId, path, cancellationToken);
            _directories[path] = (stat.Mode & GoModeDir) != 0;
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private async Task WriteDirectoryAsync(string path, UnixFileMode mode, CancellationToken cancellationToken)
    {
        await _writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, EntryName(path) + "/")
        {
            Mode = _mode ?? mode,
            Uid = _owner.Uid,
            Gid = _owner.Gid,
            ModificationTime = DateTimeOffset.UtcNow,
        }, cancellationToken);
        _directories[path] = true;
    }

    private string StagingFile() => Path.Combine(_staging, "build-layer-" + Guid.NewGuid().ToString("N"));

    private static string Normalize(string path) => "/" + BuildContext.Clean(path);

    private static string EntryName(string path) => path.TrimStart('/');
}
