using System.Text.Json;
using WebEngine.Linux;

namespace WebEngine.Runtime;

/// <summary>The state root (--root): one directory per container holding state.json and, until start, exec.fifo.</summary>
public sealed class ContainerStore
{
    public const string DefaultRoot = "/run/webengine-runtime";
    private const string StateFile = "state.json";
    private const string ExecFifoFile = "exec.fifo";

    public ContainerStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string DirectoryOf(string id) => Path.Combine(Root, id);

    public string ExecFifoOf(string id) => Path.Combine(Root, id, ExecFifoFile);

    /// <summary>Creates the container's directory; it is the lock that makes ids unique.</summary>
    public string Reserve(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        var dir = DirectoryOf(id);
        if (Libc.Mkdir(dir, 0b111_000_000) == -1)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EEXIST)
                throw new ContainerExistsException(id);
            throw new LinuxException($"mkdir {dir}", errno);
        }
        return dir;
    }

    public void Save(ContainerRecord record)
    {
        var path = Path.Combine(DirectoryOf(record.Id), StateFile);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, ContainerRecordJson.ToUtf8(record));
        File.Move(temp, path, overwrite: true);
    }

    public ContainerRecord Load(string id)
    {
        ValidateId(id);
        var path = Path.Combine(DirectoryOf(id), StateFile);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContainerNotFoundException(id);
        }
        try
        {
            return ContainerRecordJson.Read(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"read {path}: {e.Message}", e);
        }
    }

    /// <summary>The ids of the containers whose state.json exists (a container still being created has none yet).</summary>
    public IEnumerable<string> ListIds()
    {
        if (!Directory.Exists(Root))
            yield break;
        foreach (var dir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(dir, StateFile)))
                yield return Path.GetFileName(dir);
        }
    }

    public void Remove(string id)
    {
        ValidateId(id);
        var dir = DirectoryOf(id);
        // The directory holds state.json and, before start, exec.fifo: unlinking them and removing the directory
        // costs three calls where a recursive delete stats, lists and retries (it still clears anything else).
        Libc.Unlink(Path.Combine(dir, StateFile));
        Libc.Unlink(Path.Combine(dir, ExecFifoFile));
        if (Libc.Rmdir(dir) == 0)
            return;
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Errno.ENOENT)
            return;
        if (errno != Errno.ENOTEMPTY)
            throw new LinuxException($"rmdir {dir}", errno);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Ids become directory names: no separators, no dot-names, nothing empty.</summary>
    public static void ValidateId(string id)
    {
        if (id.Length == 0 || id.Length > 1024 || id is "." or ".." || id.Contains('/') || id.Contains('\0'))
            throw new InvalidArgumentException($"invalid container id \"{id}\"");
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
                throw new InvalidArgumentException($"invalid container id \"{id}\": only letters, digits, '_', '+', '-' and '.' are allowed");
        }
    }
}
