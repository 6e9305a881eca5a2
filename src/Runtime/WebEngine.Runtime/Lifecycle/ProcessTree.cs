using WebEngine.Linux;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>Watching a container's init through /proc, where it is not our child to wait for.</summary>
public static class ProcessTree
{
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
