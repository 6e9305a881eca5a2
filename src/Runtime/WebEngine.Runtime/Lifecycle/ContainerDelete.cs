using WebEngine.Linux;
using WebEngine.Runtime.Hooks;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>`delete`: removes a stopped (or created, or with --force any) container: processes, cgroup, state; then poststop hooks.</summary>
public static class ContainerDelete
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Deletes the container; returns the poststop hooks' failures (they do not undo the delete).</summary>
    public static List<string> Run(ContainerStore store, string id, bool force)
    {
        ContainerRecord record;
        try
        {
            record = store.Load(id);
        }
        catch (ContainerNotFoundException) when (force)
        {
            // A directory without state.json is a create that died half-way: --force clears it too.
            store.Remove(id);
            return [];
        }
        return Run(store, record, force);
    }

    /// <summary>As <see cref="Run(ContainerStore, string, bool)"/> with the record in hand (`run` does not read it again),
    /// and the container's cgroup manager when the caller has it.</summary>
    public static List<string> Run(ContainerStore store, ContainerRecord record, bool force, Cgroups.ICgroupManager? cgroup = null)
    {
        var id = record.Id;
        var status = ContainerStatusProbe.StatusOf(store, record);
        LifecycleRules.Require(LifecycleOperation.Delete, id, status, force);
        cgroup ??= ContainerCgroups.Open(record);
        if (status != LifecycleStatus.Stopped)
        {
            ContainerKill.Run(store, id, Libc.SIGKILL, all: true);
            if (!ProcessTree.WaitForExit(record.Pid, record.PidStartTime, ExitTimeout))
                throw new LinuxException($"wait for container {id} (pid {record.Pid}) to exit after SIGKILL", Errno.EBUSY);
        }
        cgroup.Remove();
        store.Remove(id);
        if (record.Hooks?.Poststop is not { Count: > 0 } poststop)
            return [];
        var state = ContainerStatusProbe.StateJson(ContainerStatusProbe.StateOf(store, record, LifecycleStatus.Stopped));
        return HookRunner.RunAll(poststop, "poststop", state);
    }
}
