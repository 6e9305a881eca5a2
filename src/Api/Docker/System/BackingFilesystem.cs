namespace WebEngine.Api.Docker;

/// <summary>The file system type under a directory (the mount that holds it, from /proc/self/mountinfo), named as Docker names it.</summary>
public static class BackingFilesystem
{
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var best = "";
        var type = "unknown";
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length)
                continue;
            var mountPoint = fields[4].Replace("\\040", " ");
            var inside = full == mountPoint || full.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (inside && mountPoint.Length >= best.Length)
            {
                best = mountPoint;
                type = fields[separator + 1];
            }
        }
        return type switch
        {
            "ext2" or "ext3" or "ext4" => "extfs",
            _ => type,
        };
    }
}
