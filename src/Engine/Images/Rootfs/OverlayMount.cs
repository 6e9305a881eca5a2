namespace WebEngine.Engine.Images.Rootfs;

/// <summary>
/// Mounts overlayfs with lower dirs given relative to the layers directory. The mount options must fit in one
/// page, so instead of absolute paths the mount runs from inside the layers directory (as containerd and Docker
/// do), on a dedicated thread with its own current directory so the rest of the process is not moved.
/// </summary>
internal static class OverlayMount
{
    private const int PageSize = 4096;

    /// <param name="lowerDirs">Lower dirs relative to <paramref name="layersRoot"/>, topmost first.</param>
    public static void Mount(string layersRoot, IReadOnlyList<string> lowerDirs, string upper, string work, string target)
    {
        var options = $"lowerdir={string.Join(':', lowerDirs)},upperdir={upper},workdir={work}";
        if (options.Length >= PageSize)
            throw new InvalidArgumentException($"mount overlay on {target}: {lowerDirs.Count} layers make {options.Length} bytes of options, more than a page ({PageSize})");
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                FileSystemInterop.UnshareFileSystemAttributes();
                FileSystemInterop.Chdir(layersRoot);
                FileSystemInterop.Mount("overlay", target, "overlay", 0, options);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { Name = "overlay-mount", IsBackground = true };
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw failure;
    }

    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var mountPoint = line.Split(' ')[4].Replace("\\040", " ");
            if (mountPoint == full)
                return true;
        }
        return false;
    }
}
