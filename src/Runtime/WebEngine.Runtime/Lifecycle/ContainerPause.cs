using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>`pause` and `resume`: freeze and thaw every process of the container through its cgroup.</summary>
public static class ContainerPause
{
    public static void Pause(ContainerStore store, string id)
    {
        var record = store.Load(id);
        LifecycleRules.Require(LifecycleOperation.Pause, id, ContainerStatusProbe.StatusOf(store, record));
        CgroupOf(record).Freeze();
    }

    public static void Resume(ContainerStore store, string id)
    {
        var record = store.Load(id);
        LifecycleRules.Require(LifecycleOperation.Resume, id, ContainerStatusProbe.StatusOf(store, record));
        CgroupOf(record).Thaw();
    }

    private static ICgroupManager CgroupOf(ContainerRecord record) => ContainerCgroups.Open(record);
}
