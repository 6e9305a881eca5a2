using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>The one place the lifecycle operations get a container's cgroup from.</summary>
public static class ContainerCgroups
{
    /// <summary>
    /// The cgroup manager for a new container's linux.cgroupsPath (or "/webengine/&lt;id&gt;"), on the host's cgroup
    /// mounts read now; nothing is created yet. The mount table goes into the container's state.
    /// </summary>
    public static (ICgroupManager Manager, string MountTable) OpenNew(RuntimeSpec spec, string id)
    {
        var layout = CgroupLayout.Detect();
        return (CgroupManager.Create(spec.Linux?.CgroupsPath, id, layout), layout.MountTable);
    }

    /// <summary>The cgroup manager of a created container (its spec is not read in full for this), on the cgroup mounts
    /// it was created on (read again from /proc/self/mountinfo for a state written before they were kept).</summary>
    public static ICgroupManager Open(ContainerRecord record) =>
        record.CgroupMounts is { Length: > 0 } table
            ? CgroupManager.Create(record.CgroupsPath, record.Id, CgroupLayout.Parse(table))
            : CgroupManager.Create(record.CgroupsPath, record.Id);
}
