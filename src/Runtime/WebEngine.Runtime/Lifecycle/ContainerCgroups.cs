using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>The one place the lifecycle operations get a container's cgroup from.</summary>
public static class ContainerCgroups
{
    /// <summary>The cgroup manager for the container's linux.cgroupsPath (or "/webengine/&lt;id&gt;"); nothing is created yet.</summary>
    public static ICgroupManager Open(RuntimeSpec spec, string id) =>
        CgroupManager.Create(spec.Linux?.CgroupsPath, id);

    /// <summary>The cgroup manager of a created container (its spec is not read in full for this).</summary>
    public static ICgroupManager Open(ContainerRecord record) =>
        CgroupManager.Create(record.CgroupsPath, record.Id);
}
