using System.Globalization;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// A running container's cgroup, found through its init process's /proc/&lt;pid&gt;/cgroup (so it is right for any runtime
/// and cgroup layout): v1 with one directory per controller, or v2 with one unified directory.
/// </summary>
internal sealed class ContainerCgroup
{
    private const string Root = "/sys/fs/cgroup";
    private readonly Dictionary<string, string> _v1 = new(StringComparer.Ordinal);
    private readonly string? _unified;

    private ContainerCgroup(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            if (parts[1].Length == 0)
            {
                var unified = Path.Combine(Root, parts[2].TrimStart('/'));
                if (File.Exists(Path.Combine(unified, "cgroup.controllers")) && File.ReadAllText(Path.Combine(unified, "cgroup.controllers")).Trim().Length > 0)
                    _unified = unified;
                continue;
            }
            foreach (var controller in parts[1].Split(','))
            {
                var mount = Path.Combine(Root, parts[1]);
                if (!Directory.Exists(mount))
                    mount = Path.Combine(Root, controller);
                _v1[controller] = Path.Combine(mount, parts[2].TrimStart('/'));
            }
        }
    }

    public bool IsV2 => _unified is not null && _v1.Count == 0;

    /// <summary>The cgroup of <paramref name="pid"/>; the pid must be alive.</summary>
    public static ContainerCgroup Of(int pid)
    {
        try
        {
            return new ContainerCgroup(pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConflictException($"read /proc/{pid}/cgroup: {e.Message} (the container's process is gone)", e);
        }
    }

    /// <summary>The path of a controller's file: v1 in that controller's hierarchy, v2 in the unified directory.</summary>
    public string? FilePath(string controller, string file)
    {
        if (IsV2)
            return Path.Combine(_unified!, file);
        return _v1.TryGetValue(controller, out var directory) ? Path.Combine(directory, file) : null;
    }

    public string? ReadText(string controller, string file)
    {
        var path = FilePath(controller, file);
        try
        {
            return path is null ? null : File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public long? ReadNumber(string controller, string file) =>
        long.TryParse(ReadText(controller, file), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A flat keyed file ("key value" lines: memory.stat, cpu.stat).</summary>
    public Dictionary<string, long> ReadKeyed(string controller, string file)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (ReadText(controller, file) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                result[parts[0]] = value;
        }
        return result;
    }

    /// <summary>Writes a limit; the error names the file and what the kernel said.</summary>
    public void Write(string controller, string file, string value)
    {
        var path = FilePath(controller, file) ?? throw new InvalidArgumentException($"the {controller} cgroup controller is not available to this container");
        try
        {
            File.WriteAllText(path, value);
        }
        catch (IOException e)
        {
            throw new InvalidArgumentException($"write {value} to {path}: {e.Message}", e);
        }
    }
}
