using System.Runtime.InteropServices;
using WebEngine.Linux;
using WebEngine.Runtime.Hooks;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>`start`: opens the exec fifo, which releases the waiting init into execve, then runs the poststart hooks.</summary>
public static unsafe class ContainerStart
{
    /// <summary>Starts the container; returns the poststart hooks' failures (they do not undo the start).</summary>
    public static List<string> Run(ContainerStore store, string id) => Run(store, store.Load(id));

    /// <summary>As <see cref="Run(ContainerStore, string)"/> with the record `create` just saved (`run` does not read it again).</summary>
    public static List<string> Run(ContainerStore store, ContainerRecord record)
    {
        var id = record.Id;
        LifecycleRules.Require(LifecycleOperation.Start, id, ContainerStatusProbe.StatusOf(store, record));
        var fifoPath = store.ExecFifoOf(id);
        // Non-blocking, so that an init that died meanwhile cannot leave `start` waiting forever.
        var fifo = Sys.Open(fifoPath, Libc.O_RDONLY | Libc.O_NONBLOCK);
        try
        {
            byte b;
            while (true)
            {
                var n = Libc.Read(fifo, &b, 1);
                if (n == 1)
                    break;
                if (n == -1 && Marshal.GetLastPInvokeError() is not (Errno.EAGAIN or Errno.EINTR))
                    throw LinuxException.FromLastError($"read {fifoPath}");
                if (!ContainerStatusProbe.IsAlive(record))
                    throw new IllegalTransitionException(id, "start", LifecycleStatus.Stopped);
                // Wait for the init's byte without sleeping past it; the timeout re-checks that the init is alive.
                // At end of file (a writer came and went without a byte) poll would return at once: sleep instead.
                if (n == 0)
                {
                    Thread.Sleep(1);
                }
                else
                {
                    var pollFd = new Libc.PollFd { Fd = fifo, Events = Libc.POLLIN };
                    Libc.Poll(&pollFd, 1, 10);
                }
            }
        }
        finally
        {
            Libc.Close(fifo);
            File.Delete(fifoPath);
        }
        if (record.Hooks?.Poststart is not { Count: > 0 } poststart)
            return [];
        var state = ContainerStatusProbe.StateJson(ContainerStatusProbe.StateOf(store, record, LifecycleStatus.Running));
        return HookRunner.RunAll(poststart, "poststart", state);
    }
}
