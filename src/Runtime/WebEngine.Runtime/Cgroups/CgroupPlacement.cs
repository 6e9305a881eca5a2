using WebEngine.Linux;

namespace WebEngine.Runtime.Cgroups;

/// <summary>
/// The open files that put a stage process in a container's cgroup as it starts, so that it never has to be moved
/// there by pid. A move by pid (cgroup.procs, or tasks with another task's id) write-locks the kernel's global
/// cgroup_threadgroup_rwsem, and in the kernel's default mode the first such write after a quiet spell waits for an
/// RCU grace period, 7 to 11 ms here. A child cloned with CLONE_INTO_CGROUP into the cgroup2 directory, and a task
/// writing "0" (itself) to a v1 tasks file, take no such lock (see native/stage_spawn.c in webengine-runtime).
/// Opened before the caller joins the container's mount namespace, where the host's cgroupfs may not be visible.
/// </summary>
public sealed class CgroupPlacement : IDisposable
{
    private CgroupPlacement(string? cloneInto, int cloneIntoFd, IReadOnlyList<string> tasksFiles, int[] tasksFds)
    {
        CloneInto = cloneInto;
        CloneIntoFd = cloneIntoFd;
        TasksFiles = tasksFiles;
        TasksFds = tasksFds;
    }

    /// <summary>The cgroup2 directory the process is cloned into, or null.</summary>
    public string? CloneInto { get; }

    /// <summary>An O_PATH fd of <see cref="CloneInto"/>, or -1.</summary>
    public int CloneIntoFd { get; private set; }

    /// <summary>The v1 tasks files the process writes "0" to before it execs, and their fds (same order).</summary>
    public IReadOnlyList<string> TasksFiles { get; }

    public int[] TasksFds { get; }

    /// <summary>Opens the placement of <paramref name="cgroup"/>, which must have been created.</summary>
    public static CgroupPlacement Open(ICgroupManager cgroup)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        var (cloneInto, moveSelfInto) = cgroup.Placement;
        var tasksFiles = moveSelfInto.Select(directory => Path.Combine(directory, "tasks")).ToList();
        var tasksFds = new int[tasksFiles.Count];
        Array.Fill(tasksFds, -1);
        var placement = new CgroupPlacement(cloneInto, -1, tasksFiles, tasksFds);
        try
        {
            if (cloneInto != null)
                placement.CloneIntoFd = OpenFile(cloneInto, Libc.O_PATH | Libc.O_CLOEXEC);
            for (var i = 0; i < tasksFiles.Count; i++)
                tasksFds[i] = OpenFile(tasksFiles[i], CgroupNative.O_WRONLY | CgroupNative.O_CLOEXEC);
            return placement;
        }
        catch
        {
            placement.Dispose();
            throw;
        }
    }

    private static int OpenFile(string path, int flags)
    {
        int fd;
        do
        {
            fd = CgroupNative.Open(path, flags);
        }
        while (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == CgroupNative.EINTR);
        return fd >= 0 ? fd : throw new CgroupException($"open {path}", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    /// <summary>The process could not be cloned into <see cref="CloneInto"/> (not a cgroup2 directory the kernel
    /// takes, as in tests on a directory that mimics one, or a kernel before 5.7): it is moved there by pid.</summary>
    internal void MoveByPid(int pid)
    {
        if (CloneInto != null)
            CgroupFile.Write(CloneInto, "cgroup.procs", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (CloneIntoFd >= 0)
            Libc.Close(CloneIntoFd);
        CloneIntoFd = -1;
        for (var i = 0; i < TasksFds.Length; i++)
        {
            if (TasksFds[i] >= 0)
                Libc.Close(TasksFds[i]);
            TasksFds[i] = -1;
        }
    }
}
