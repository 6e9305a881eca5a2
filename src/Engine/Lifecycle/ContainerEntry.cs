using WebEngine.Engine.Shims;
using WebEngine.ShimProtocol;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The engine's in-memory side of one container: the lock that serializes operations on it, its current run (the
/// shim client of the live process), what waiters wait for, and a pending policy restart.
/// </summary>
internal sealed class ContainerEntry(string id)
{
    public string Id { get; } = id;

    /// <summary>Held by every operation that changes the container; operations on different containers do not wait for each other.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    public ContainerRun? Run { get; set; }

    /// <summary>Completed (and replaced) each time an exit is recorded.</summary>
    public TaskCompletionSource<ContainerExit> NextExit { get; private set; } = NewExit();

    public TaskCompletionSource<ContainerExit> Removed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancels the restart the policy scheduled (stop, kill, remove, start by hand).</summary>
    public CancellationTokenSource? PendingRestart { get; set; }

    /// <summary>The restart policy's current back-off (Docker's: 100 ms doubling, reset after 10 s of running).</summary>
    public TimeSpan RestartDelay { get; set; }

    /// <summary>Attaches made before the container started (docker run attaches, then starts): connected at start.</summary>
    public List<PendingAttach> PendingAttaches { get; } = [];

    public void CompleteExit(ContainerExit exit)
    {
        var completed = NextExit;
        NextExit = NewExit();
        completed.TrySetResult(exit);
    }

    public void CancelPendingRestart()
    {
        PendingRestart?.Cancel();
        PendingRestart = null;
    }

    private static TaskCompletionSource<ContainerExit> NewExit() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One start of a container: its shim client and pid, and its exit as the shim reports it.</summary>
internal sealed class ContainerRun(ShimClient client, int pid, DateTime startedUtc)
{
    public ShimClient Client { get; } = client;
    public int Pid { get; } = pid;
    public DateTime StartedUtc { get; } = startedUtc;

    /// <summary>Set when the shim reports the process stopped (before the engine has recorded it).</summary>
    public TaskCompletionSource<ProcessStatus> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The exit has been recorded in SQLite; whoever holds the container's lock first records it.</summary>
    public bool Handled { get; set; }

    /// <summary>Completed once the exit is recorded.</summary>
    public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>An attach waiting for its container's start.</summary>
internal sealed record PendingAttach(ShimAttachOptions Options, TaskCompletionSource<ShimAttachStream> Stream);
