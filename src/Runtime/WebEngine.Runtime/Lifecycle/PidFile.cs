using System.Globalization;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>--pid-file: written atomically (temp file and rename) so a reader never sees a partial pid.</summary>
public static class PidFile
{
    public static void Write(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, full, overwrite: true);
    }
}
