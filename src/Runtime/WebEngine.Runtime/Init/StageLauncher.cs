using WebEngine.Linux;
using WebEngine.Runtime.Cgroups;

namespace WebEngine.Runtime.Init;

/// <summary>A namespace to join (setns) before the stage process starts.</summary>
public readonly record struct NamespaceJoin(int Type, string Path);

/// <summary>
/// Starts the runtime's own binary as a container stage inside new or joined namespaces, and in the container's
/// cgroup when a placement is given (the placement's files must have been opened in the host's mount namespace). A
/// dedicated thread joins and unshares, then clones and execs natively from it
/// (<see cref="StageSpawn"/>): no managed code ever runs in the child. After unshare(CLONE_NEWPID) that thread
/// cannot create threads, so it does nothing else.
/// </summary>
public static class StageLauncher
{
    public static StageProcess Start(IReadOnlyList<NamespaceJoin> joins, int unshareFlags, StageChannel channel, string stageName,
        IReadOnlyDictionary<string, string>? environment = null, Func<CgroupPlacement>? placement = null)
    {
        var binary = Environment.ProcessPath ?? throw new InvalidOperationException("the runtime's own path is unknown");
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StageChannel.EnvironmentVariable] = channel.ChildEnvironmentValue,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            variables[name] = value;

        var pid = 0;
        var clonedIntoCgroup = false;
        CgroupPlacement? placed = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var join in joins)
                {
                    if (join.Type == Libc.CLONE_NEWNS)
                        Sys.Unshare(Libc.CLONE_FS);
                    Sys.Setns(join.Path, join.Type);
                }
                if (unshareFlags != 0)
                    Sys.Unshare(unshareFlags);
                // Asked for only now, so that the cgroup's creation overlaps joining and creating the namespaces.
                placed = placement?.Invoke();
                (pid, clonedIntoCgroup) = StageSpawn.Start(binary, [stageName], variables, placed);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        channel.CloseChildEnds();
        if (failure != null)
            throw failure is LinuxException or CgroupException ? failure : new ContainerStageException($"start the {stageName} stage: {failure.Message}");
        if (placed?.CloneInto != null && !clonedIntoCgroup)
        {
            // Moved by pid from this thread, which is in the host's mount namespace (the launcher's may not be).
            try
            {
                placed.MoveByPid(pid);
            }
            catch
            {
                Libc.Kill(pid, Libc.SIGKILL);
                Lifecycle.ProcessTree.WaitForChild(pid);
                throw;
            }
        }
        return new StageProcess(pid);
    }
}
