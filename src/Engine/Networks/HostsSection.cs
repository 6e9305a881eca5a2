using System.Text;

namespace WebEngine.Engine.Networks;

/// <summary>
/// The part of a container's /etc/hosts the network service keeps up to date: the container's own addresses under its
/// hostname, and on user-defined networks every other running container by name and aliases. It follows a marker
/// line after what the bundle wrote; the file is rewritten in place because it is bind-mounted into the container
/// (a rename would leave the container with the old inode).
/// </summary>
internal static class HostsSection
{
    public const string Marker = "# WebEngine: addresses on the container's networks (kept up to date by the engine)";

    public static async Task WriteAsync(string path, IEnumerable<(string Address, IReadOnlyList<string> Names)> entries)
    {
        if (!File.Exists(path))
            return;
        var current = await File.ReadAllTextAsync(path);
        var at = current.IndexOf(Marker, StringComparison.Ordinal);
        var text = new StringBuilder(at < 0 ? current : current[..at]);
        if (text.Length > 0 && text[^1] != '\n')
            text.Append('\n');
        var lines = entries.Where(e => e.Names.Count > 0).Select(e => $"{e.Address}\t{string.Join(' ', e.Names.Distinct(StringComparer.Ordinal))}").Distinct().ToList();
        if (lines.Count > 0)
        {
            text.Append(Marker).Append('\n');
            foreach (var line in lines)
                text.Append(line).Append('\n');
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        stream.SetLength(0);
        await stream.WriteAsync(bytes);
    }
}
