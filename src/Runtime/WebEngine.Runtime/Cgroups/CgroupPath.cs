namespace WebEngine.Runtime.Cgroups;

/// <summary>Turns an OCI linux.cgroupsPath into a directory in each hierarchy, as runc's cgroupfs driver does.</summary>
internal static class CgroupPath
{
    /// <summary>
    /// null or empty gives "/webengine/&lt;id&gt;"; an absolute path is relative to each hierarchy's
    /// root; a relative path is relative to the caller's own cgroup. systemd's "slice:prefix:name"
    /// syntax is refused: WebEngine has no systemd cgroup driver.
    /// </summary>
    public static string Normalize(string? cgroupsPath, string containerId)
    {
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            if (string.IsNullOrEmpty(containerId) || containerId.Contains('/') || containerId is "." or "..")
                throw new CgroupException($"container id \"{containerId}\" cannot name a cgroup");
            return "/webengine/" + containerId;
        }
        if (!cgroupsPath.StartsWith('/') && cgroupsPath.Count(c => c == ':') == 2)
            throw new CgroupException(
                $"cgroupsPath \"{cgroupsPath}\" uses the systemd \"slice:prefix:name\" syntax: the systemd cgroup driver is not supported, use a cgroupfs path such as \"/webengine/{containerId}\"");
        var parts = cgroupsPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
            throw new CgroupException($"cgroupsPath \"{cgroupsPath}\" must not contain \".\" or \"..\"");
        if (parts.Length == 0)
            throw new CgroupException($"cgroupsPath \"{cgroupsPath}\" names the root cgroup, which a container cannot own");
        var joined = string.Join('/', parts);
        return cgroupsPath.StartsWith('/') ? "/" + joined : joined;
    }

    /// <summary>Parses /proc/&lt;pid&gt;/cgroup: "id:controllers:path" lines; the cgroup2 line has an empty controller list (key "").</summary>
    public static Dictionary<string, string> ParseProcCgroup(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            if (parts[1].Length == 0)
                result[""] = parts[2];
            foreach (var controller in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
                result[controller] = parts[2];
        }
        return result;
    }

    /// <summary>The directory of cgroup <paramref name="path"/> in the hierarchy mounted as <paramref name="mount"/>.</summary>
    public static string Directory(CgroupMount mount, string path, IReadOnlyDictionary<string, string> callerCgroups)
    {
        if (path.StartsWith('/'))
            return mount.MountPoint + path;
        var own = OwnDirectory(mount, callerCgroups)
            ?? throw new CgroupException($"cgroupsPath \"{path}\" is relative, but the caller's cgroup in the {(mount.Controllers.Count == 0 ? "cgroup2" : mount.Controllers[0])} hierarchy is unknown");
        return Path.Combine(own, path).Replace("//", "/");
    }

    /// <summary>The caller's own cgroup directory in the hierarchy mounted as <paramref name="mount"/>, or null when unknown.</summary>
    public static string? OwnDirectory(CgroupMount mount, IReadOnlyDictionary<string, string> callerCgroups)
    {
        var key = mount.Controllers.Count == 0 ? "" : mount.Controllers[0];
        if (!callerCgroups.TryGetValue(key, out var own))
            return null;
        // Inside a cgroup namespace or below a bind-mounted sub-hierarchy, the caller's path is
        // relative to the mount's root, not to the hierarchy's root.
        if (mount.Root != "/" && own.StartsWith(mount.Root, StringComparison.Ordinal))
            own = own[mount.Root.Length..];
        var directory = (mount.MountPoint + "/" + own.Trim('/')).TrimEnd('/');
        return directory.Length == 0 ? "/" : directory;
    }
}
