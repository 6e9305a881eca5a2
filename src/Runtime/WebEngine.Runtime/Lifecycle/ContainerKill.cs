using WebEngine.Linux;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>`kill`: sends a signal to the container's init, or with --all to every process of the container.</summary>
public static class ContainerKill
{
    public static void Run(ContainerStore store, string id, int signal, bool all)
    {
        var record = store.Load(id);
        LifecycleRules.Require(LifecycleOperation.Kill, id, ContainerStatusProbe.StatusOf(store, record));
        if (!all)
        {
            Send(record.Pid, signal);
            return;
        }
        var cgroup = ContainerCgroups.Open(record);
        // A frozen process keeps a signal pending; stop it from running on, then let it receive.
        if (cgroup.IsFrozen())
        {
            foreach (var pid in cgroup.GetPids())
                Send(pid, signal);
            cgroup.Thaw();
            return;
        }
        foreach (var pid in cgroup.GetPids())
            Send(pid, signal);
    }

    private static void Send(int pid, int signal)
    {
        if (Libc.Kill(pid, signal) == -1 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.ESRCH)
            throw LinuxException.FromLastError($"kill {pid} with signal {signal}");
    }
}
