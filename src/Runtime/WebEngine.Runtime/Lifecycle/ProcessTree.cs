using WebEngine.Linux;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>Watching a container's init through /proc, where it is not our child to wait for.</summary>
public static class ProcessTree
{
    /// <summary>
    /// Waits for <paramref name="pid"/>, a child of this process (or reparented to it as a subreaper) that
    /// .NET did not start, and returns its exit status the shell way (128 + signal when killed).
    /// </summary>
    public static unsafe int WaitForChild(int pid)
    {
        int status;
        while (Libc.Waitpid(pid, &status, 0) == -1)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
                throw new LinuxException($"waitpid {pid}", errno);
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    }

    /// <summary>Waits until <paramref name="pid"/> (started at <paramref name="startTime"/>) is gone or a zombie.</summary>
    public static bool WaitForExit(int pid, ulong startTime, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var stat = ProcessStat.Read(pid);
            if (stat == null || stat.Value.StartTime != startTime || stat.Value.State is 'Z' or 'X')
                return true;
            if (Environment.TickCount64 > deadline)
                return false;
            Thread.Sleep(2);
        }
    }
}
