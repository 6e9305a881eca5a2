using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>The one place the lifecycle operations get a container's cgroup from.</summary>
public static class ContainerCgroups
{
    /// <summary>
    /// The cgroup manager for a new container's linux.cgroupsPath (or "/webengine/&lt;id&gt;"), on the host's cgroup
    /// mounts read now; nothing is created yet. The mount table and the caller's own cgroups go into the container's
    /// state.
    /// </summary>
    public static (ICgroupManager Manager, string MountTable, string CallerCgroups) OpenNew(RuntimeSpec spec, string id)
    {
        var layout = CgroupLayout.Detect();
        var callerCgroups = CgroupManager.ReadOwnCgroups();
        return (CgroupManager.Create(spec.Linux?.CgroupsPath, id, layout, callerCgroups), layout.MountTable, callerCgroups);
    }

    /// <summary>The cgroup manager of a created container (its spec is not read in full for this), on the cgroup mounts
    /// it was created on, a relative cgroupsPath resolved against its creator's cgroups (both read again for a state
    /// written before they were kept).</summary>
    public static ICgroupManager Open(ContainerRecord record)
    {
        var layout = record.CgroupMounts is { Length: > 0 } table ? CgroupLayout.Parse(table) : CgroupLayout.Detect();
        var callerCgroups = record.CallerCgroups ?? CgroupManager.ReadOwnCgroups();
        return CgroupManager.Create(record.CgroupsPath, record.Id, layout, callerCgroups);
    }
}
