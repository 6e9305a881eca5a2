namespace WebEngine.Runtime.Lifecycle;

/// <summary>`ps`: the pids of the container's processes (from its cgroup).</summary>
public static class ContainerPs
{
    public static List<int> Run(ContainerStore store, string id)
    {
        var record = store.Load(id);
        if (ContainerStatusProbe.StatusOf(store, record) == LifecycleStatus.Stopped)
            return [];
        return [.. ContainerCgroups.Open(record).GetPids()];
    }
}
