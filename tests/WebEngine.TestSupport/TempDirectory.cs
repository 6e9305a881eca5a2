namespace WebEngine.TestSupport;

/// <summary>A fresh directory under /tmp that is removed (after unmounting anything left in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "webengine-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        foreach (var mountPoint in MountsBelow(Path).OrderByDescending(m => m.Length))
            umount2(mountPoint, 2 /* MNT_DETACH */);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static IEnumerable<string> MountsBelow(string root)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var mountPoint = line.Split(' ')[4].Replace("\\040", " ");
            if (mountPoint.StartsWith(root + "/", StringComparison.Ordinal) || mountPoint == root)
                yield return mountPoint;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);
}
