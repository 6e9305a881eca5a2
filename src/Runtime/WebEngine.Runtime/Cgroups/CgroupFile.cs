using System.Text;

namespace WebEngine.Runtime.Cgroups;

/// <summary>Reads and writes cgroupfs interface files, with errors that name the file, the value and the errno.</summary>
internal static class CgroupFile
{
    public static bool Exists(string directory, string file) => File.Exists(Path.Combine(directory, file));

    /// <summary>
    /// Writes <paramref name="value"/> with a single write(2): the kernel parses each write as one
    /// request and reports a refused value as the write's errno.
    /// </summary>
    public static unsafe void Write(string directory, string file, string value)
    {
        var path = Path.Combine(directory, file);
        int fd;
        do
        {
            fd = CgroupNative.Open(path, CgroupNative.O_WRONLY | CgroupNative.O_TRUNC | CgroupNative.O_CLOEXEC);
        }
        while (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == CgroupNative.EINTR);
        if (fd < 0)
            throw new CgroupException($"open {path} to write \"{value}\"", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            fixed (byte* buffer = bytes)
            {
                nint written;
                do
                {
                    written = CgroupNative.Write(fd, buffer, (nuint)bytes.Length);
                }
                while (written < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == CgroupNative.EINTR);
                if (written < 0)
                    throw new CgroupException($"write \"{value}\" to {path}", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            CgroupNative.Close(fd);
        }
    }

    public static string Read(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CgroupException($"read {path}", e);
        }
    }

    /// <summary>The file's content without the trailing newline, or null when it does not exist.</summary>
    public static string? ReadIfExists(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
            return null;
        return Read(directory, file).TrimEnd('\n');
    }

    /// <summary>A number file such as memory.usage_in_bytes; "max" and absent files give null.</summary>
    public static ulong? ReadNumber(string directory, string file)
    {
        var text = ReadIfExists(directory, file);
        if (text is null or "max" or "")
            return null;
        return ulong.TryParse(text.Trim(), out var value)
            ? value
            : throw new CgroupException($"read {Path.Combine(directory, file)}: \"{text}\" is not a number");
    }

    /// <summary>Parses "key value" lines (memory.stat, cpu.stat, cpuacct.stat) into a dictionary.</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string directory, string file)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var text = ReadIfExists(directory, file);
        if (text is null)
            return result;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], out var value))
                result[parts[0]] = value;
        }
        return result;
    }

    /// <summary>The pids listed in cgroup.procs of <paramref name="directory"/> and of every cgroup below it.</summary>
    public static List<int> ReadProcsRecursive(string directory)
    {
        var pids = new List<int>();
        if (!Directory.Exists(directory))
            return pids;
        var procs = ReadIfExists(directory, "cgroup.procs") ?? "";
        foreach (var line in procs.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, out var pid))
                pids.Add(pid);
        }
        foreach (var child in Directory.EnumerateDirectories(directory))
            pids.AddRange(ReadProcsRecursive(child));
        return pids;
    }
}
