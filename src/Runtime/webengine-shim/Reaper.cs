namespace WebEngine.Shim;

/// <summary>
/// The shim is the container's child subreaper: this thread waits for every child (the runtime invocations, the
/// container's process, exec'd processes, and anything re-parented to the shim) so that no zombie outlives it,
/// and hands each exit status to whoever watches that pid.
/// </summary>
internal sealed unsafe class Reaper
{
    /// <summary>Exits of pids nobody watches yet are kept this long (a process can exit before its pid file is read).</summary>
    private const int MaxUnclaimed = 256;

    private readonly object _lock = new();
    private readonly Dictionary<int, Action<int>> _watchers = [];
    private readonly Dictionary<int, int> _unclaimed = [];
    private readonly Queue<int> _unclaimedOrder = new();

    private Reaper()
    {
    }

    public static Reaper? Instance { get; private set; }

    public static Reaper Start()
    {
        if (Interop.prctl(Interop.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
            throw SystemCallException.FromLastError("prctl PR_SET_CHILD_SUBREAPER");
        var reaper = new Reaper();
        Instance = reaper;
        new Thread(reaper.Run) { IsBackground = true, Name = "reaper" }.Start();
        return reaper;
    }

    /// <summary>Calls <paramref name="onExit"/> with the wait status once <paramref name="pid"/> exits (at once if it already has).</summary>
    public void Watch(int pid, Action<int> onExit)
    {
        int status;
        lock (_lock)
        {
            if (!_unclaimed.Remove(pid, out status))
            {
                _watchers[pid] = onExit;
                return;
            }
        }
        onExit(status);
    }

    /// <summary>Wakes the reaper if it was idle because the shim had no children.</summary>
    public void ChildStarted()
    {
        lock (_lock)
            Monitor.PulseAll(_lock);
    }

    /// <summary>Spawns and waits for a short-lived program; returns its exit code (128+signal when killed).</summary>
    public int WaitFor(int pid)
    {
        using var exited = new ManualResetEventSlim();
        var status = 0;
        Watch(pid, s =>
        {
            status = s;
            exited.Set();
        });
        exited.Wait();
        return ExitCodeOf(status);
    }

    /// <summary>The exit code of a wait status: the code, or 128 + the signal that killed it.</summary>
    public static int ExitCodeOf(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    private void Run()
    {
        while (true)
        {
            int status;
            var pid = Interop.waitpid(-1, &status, 0);
            if (pid > 0)
            {
                Dispatch(pid, status);
                continue;
            }
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Interop.EINTR)
                continue;
            // ECHILD: nothing to wait for. Re-parented orphans do not wake us, so look again within a second.
            lock (_lock)
                Monitor.Wait(_lock, 1000);
        }
    }

    private void Dispatch(int pid, int status)
    {
        Action<int>? watcher;
        lock (_lock)
        {
            if (!_watchers.Remove(pid, out watcher))
            {
                _unclaimed[pid] = status;
                _unclaimedOrder.Enqueue(pid);
                while (_unclaimedOrder.Count > MaxUnclaimed)
                    _unclaimed.Remove(_unclaimedOrder.Dequeue());
                return;
            }
        }
        watcher(status);
    }
}
