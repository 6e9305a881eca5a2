namespace WebEngine.Runtime.Cgroups;

/// <summary>Creates the <see cref="ICgroupManager"/> that fits the host's cgroup layout.</summary>
public static class CgroupManager
{
    /// <summary>
    /// The cgroup of container <paramref name="containerId"/> at <paramref name="cgroupsPath"/>
    /// (the spec's linux.cgroupsPath; null gives "/webengine/&lt;id&gt;"), on this host's layout read
    /// from /proc/self/mountinfo. Nothing is created until <see cref="ICgroupManager.Create"/>.
    /// </summary>
    public static ICgroupManager Create(string? cgroupsPath, string containerId) =>
        Create(cgroupsPath, containerId, CgroupLayout.Detect());

    /// <summary>As <see cref="Create(string?, string)"/> on a layout already known (detected or kept from create).</summary>
    public static ICgroupManager Create(string? cgroupsPath, string containerId, CgroupLayout layout) =>
        Create(cgroupsPath, containerId, layout, ReadOwnCgroups());

    /// <summary>
    /// As <see cref="Create(string?, string)"/> on an explicit layout; <paramref name="callerCgroups"/>
    /// is the text of /proc/self/cgroup, used to resolve a relative cgroupsPath.
    /// </summary>
    public static ICgroupManager Create(string? cgroupsPath, string containerId, CgroupLayout layout, string callerCgroups)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var path = CgroupPath.Normalize(cgroupsPath, containerId);
        var own = CgroupPath.ParseProcCgroup(callerCgroups);
        return layout.Version == CgroupVersion.V2
            ? new CgroupV2Manager(path, layout.Unified!, own)
            : new CgroupV1Manager(path, layout, own);
    }

    /// <summary>The text of /proc/self/cgroup: the calling process's own cgroups.</summary>
    public static string ReadOwnCgroups()
    {
        const string file = "/proc/self/cgroup";
        try
        {
            return File.ReadAllText(file);
        }
        catch (IOException e)
        {
            throw new CgroupException($"read {file}", e);
        }
    }
}
