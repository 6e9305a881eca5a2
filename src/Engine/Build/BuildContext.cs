using System.Formats.Tar;
using System.Text.RegularExpressions;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Build;

/// <summary>
/// A build's context: the tar (plain or gzip-compressed) the client sent, unpacked into a directory of the data root's
/// tmp/, with what .dockerignore excludes removed. Sources of COPY and ADD are resolved inside it, never outside.
/// </summary>
public sealed class BuildContext : IDisposable
{
    private BuildContext(string root) => Root = root;

    public string Root { get; }

    /// <summary>
    /// Unpacks <paramref name="tar"/> under <paramref name="staging"/>. A body that does not start with a tar header is
    /// a Dockerfile alone (`docker build - &lt; Dockerfile`), as dockerd takes it; a tar broken further on is a 400.
    /// </summary>
    public static async Task<BuildContext> ExtractAsync(Stream tar, string staging, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(staging, "build-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var context = new BuildContext(directory);
        try
        {
            await using (var input = await ContainerArchive.DecompressedAsync(tar, cancellationToken))
            {
                var header = new byte[512];
                var read = await input.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
                await using var body = new ContainerArchive.PrefixedStream(header.AsMemory(0, read), input);
                if (read < header.Length || !IsTarHeader(header))
                {
                    await using var dockerfile = new FileStream(Path.Combine(directory, "Dockerfile"), FileMode.CreateNew, FileAccess.Write);
                    await body.CopyToAsync(dockerfile, cancellationToken);
                    return context;
                }
                try
                {
                    await context.UnpackAsync(body, cancellationToken);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException)
                {
                    throw new InvalidArgumentException($"the build context is not a valid tar archive: {e.Message}", e);
                }
            }
            context.ApplyDockerignore();
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>A tar header block: its checksum field holds the sum of its bytes, the field itself counted as spaces.</summary>
    private static bool IsTarHeader(ReadOnlySpan<byte> block)
    {
        var field = System.Text.Encoding.ASCII.GetString(block[148..156]).Trim(' ', '\0');
        if (field.Length == 0 || field.Any(c => c is < '0' or > '7'))
            return false;
        long sum = 0;
        for (var i = 0; i < block.Length; i++)
            sum += i is >= 148 and < 156 ? ' ' : block[i];
        return sum == Convert.ToInt64(field, 8);
    }

    /// <summary>
    /// Writes the tar's entries under the root: regular files, directories, symlinks as they are (whatever their
    /// target: they are only ever followed inside the context), hard links as copies; devices and the like are left
    /// out. Each entry's directory is resolved inside the root first, so an entry cannot be written through a symlink
    /// an earlier entry made.
    /// </summary>
    private async Task UnpackAsync(Stream input, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(input);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var name = Clean(entry.Name);
            if (name.Length == 0)
                continue;
            var parent = InsideRoot(Path.Combine(Root, Path.GetDirectoryName(name) ?? ""));
            Directory.CreateDirectory(parent);
            var target = Path.Combine(parent, Path.GetFileName(name));
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!Directory.Exists(target) || IsLink(target))
                    {
                        RemoveEntry(target);
                        Directory.CreateDirectory(target);
                    }
                    File.SetUnixFileMode(target, entry.Mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RemoveEntry(target);
                    await using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
                    {
                        if (entry.DataStream is { } data)
                            await data.CopyToAsync(file, cancellationToken);
                    }
                    File.SetUnixFileMode(target, entry.Mode);
                    File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                    break;
                case TarEntryType.SymbolicLink:
                    RemoveEntry(target);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    var source = InsideRoot(Path.Combine(Root, Clean(entry.LinkName)));
                    if (File.Exists(source))
                    {
                        RemoveEntry(target);
                        File.Copy(source, target);
                    }
                    break;
            }
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>Whatever is at the path (a symlink itself, not its target) goes, so the entry replaces it.</summary>
    private static void RemoveEntry(string path)
    {
        if (!EntryExists(path))
            return;
        if (Directory.Exists(path) && !IsLink(path))
            Directory.Delete(path, recursive: true);
        else
            File.Delete(path);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    /// <summary>The Dockerfile's text at <paramref name="path"/> in the context, with dockerd's error when it is missing.</summary>
    public string ReadDockerfile(string path)
    {
        var full = InsideRoot(Path.Combine(Root, Clean(path)));
        if (!File.Exists(full))
            throw new InvalidArgumentException($"Cannot locate specified Dockerfile: {path}");
        return File.ReadAllText(full);
    }

    /// <summary>
    /// The host paths a COPY or ADD source names, wildcards (*, ?, [...]) expanded per path element; none is dockerd's
    /// "file not found" error.
    /// </summary>
    public IReadOnlyList<string> Match(string source, string instruction)
    {
        var elements = Clean(source).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var paths = new List<string> { Root };
        foreach (var element in elements)
        {
            var next = new List<string>();
            foreach (var path in paths.Where(Directory.Exists))
            {
                if (element.IndexOfAny(['*', '?', '[']) < 0)
                {
                    var candidate = Path.Combine(path, element);
                    if (EntryExists(candidate))
                        next.Add(candidate);
                    continue;
                }
                var pattern = new Regex("^" + GlobToRegex(element) + "$", RegexOptions.CultureInvariant);
                next.AddRange(Directory.EnumerateFileSystemEntries(path).Where(p => pattern.IsMatch(Path.GetFileName(p))).Order(StringComparer.Ordinal));
            }
            // A symlink on the way is followed inside the context, never to the host's files.
            paths = next.Select(InsideRoot).Distinct().ToList();
        }
        if (paths.Count == 0)
            throw new InvalidArgumentException($"{instruction} failed: file not found in build context or excluded by .dockerignore: stat {source}: file does not exist");
        return paths;
    }

    /// <summary>Whether anything is at the path, a dangling symlink included.</summary>
    private static bool EntryExists(string path)
    {
        try
        {
            return Path.Exists(path) || new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The path with every symlink in it resolved as if the context were the root directory: an absolute target
    /// starts again at the context's root, ".." stops there. What is left is a host path inside the context.
    /// </summary>
    private string InsideRoot(string path)
    {
        var remaining = new List<string>(Path.GetRelativePath(Root, path).Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var links = 0;
        while (remaining.Count > 0)
        {
            var element = remaining[0];
            remaining.RemoveAt(0);
            if (element == "..")
            {
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            if (element == ".")
                continue;
            var candidate = Path.Combine(Root, string.Join('/', resolved.Append(element)));
            var target = EntryExists(candidate) ? new FileInfo(candidate).LinkTarget : null;
            if (target is null)
            {
                resolved.Add(element);
                continue;
            }
            if (++links > 40)
                throw new InvalidArgumentException($"too many levels of symbolic links in the build context: {Path.GetRelativePath(Root, path)}");
            if (target.StartsWith('/'))
                resolved.Clear();
            remaining.InsertRange(0, target.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        return Path.Combine(Root, string.Join('/', resolved));
    }

    /// <summary>The path relative to the context root, with "..", "." and leading slashes resolved lexically inside it.</summary>
    internal static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".")
                parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>
    /// Removes what .dockerignore excludes: a path is excluded when the last pattern matching it or one of its parent
    /// directories is not a "!" exception. The docker CLI filters the same way before it sends; other clients may not.
    /// </summary>
    private void ApplyDockerignore()
    {
        var file = Path.Combine(Root, ".dockerignore");
        if (!File.Exists(file))
            return;
        var patterns = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.StartsWith('!') ? (Exclude: false, Pattern: l[1..].Trim()) : (Exclude: true, Pattern: l))
            .Select(p => (p.Exclude, Regex: new Regex("^" + GlobToRegex(Clean(p.Pattern)) + "$", RegexOptions.CultureInvariant)))
            .ToList();
        if (patterns.Count == 0)
            return;
        foreach (var path in Directory.EnumerateFileSystemEntries(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).ToList())
        {
            var relative = Path.GetRelativePath(Root, path);
            if (relative is ".dockerignore" || !EntryExists(path))
                continue;
            if (!Excluded(relative, patterns))
                continue;
            if (Directory.Exists(path) && File.ResolveLinkTarget(path, false) is null)
                RemoveExcluded(path, patterns);
            else
                File.Delete(path);
        }
    }

    /// <summary>An excluded directory goes, except what an exception pattern keeps inside it.</summary>
    private void RemoveExcluded(string directory, List<(bool Exclude, Regex Regex)> patterns)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (!Excluded(Path.GetRelativePath(Root, entry), patterns))
                continue;
            if (Directory.Exists(entry) && File.ResolveLinkTarget(entry, false) is null)
                RemoveExcluded(entry, patterns);
            else
                File.Delete(entry);
        }
        if (!Directory.EnumerateFileSystemEntries(directory).Any())
            Directory.Delete(directory);
    }

    private static bool Excluded(string relative, List<(bool Exclude, Regex Regex)> patterns)
    {
        var excluded = false;
        var candidates = new List<string>();
        var parts = relative.Split('/');
        for (var i = 1; i <= parts.Length; i++)
            candidates.Add(string.Join('/', parts[..i]));
        foreach (var (exclude, regex) in patterns)
        {
            if (candidates.Any(regex.IsMatch))
                excluded = exclude;
        }
        return excluded;
    }

    /// <summary>A Go filepath.Match pattern (plus "**" for any number of directories) as a regular expression.</summary>
    private static string GlobToRegex(string pattern)
    {
        var regex = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
                regex.Append("[^/]*");
            else if (c == '?')
                regex.Append("[^/]");
            else if (c == '[')
            {
                var close = pattern.IndexOf(']', i + 1);
                if (close < 0)
                    throw new InvalidArgumentException($"syntax error in pattern: {pattern}");
                var set = pattern[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('^') || set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < pattern.Length)
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return regex.ToString();
    }
}
