namespace WebEngine.Engine.Bundles;

/// <summary>
/// Resolves a path inside a container's rootfs the way the container would see it, following
/// symlinks without ever leaving the rootfs: an image cannot make the engine read or create host
/// files by shipping "/etc/passwd -> /etc/shadow" or "/work -> /root".
/// </summary>
public static class RootfsPath
{
    private const int MaxSymlinks = 255;

    /// <summary>The host path for <paramref name="containerPath"/>; it need not exist.</summary>
    public static string Resolve(string rootfs, string containerPath)
    {
        var root = Path.GetFullPath(rootfs);
        var pending = new Stack<string>(containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = Path.Combine([root, .. resolved, part]);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > MaxSymlinks)
                throw new IOException($"resolve {containerPath} in {rootfs}: too many levels of symbolic links");
            // An absolute target restarts at the rootfs, a relative one continues from the link's directory.
            if (target.StartsWith('/'))
                resolved.Clear();
            foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                pending.Push(segment);
        }
        return Path.Combine([root, .. resolved]);
    }
}
