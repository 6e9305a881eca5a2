using System.Diagnostics;
using System.Runtime.InteropServices;
using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>A namespace to join (setns) before the stage process starts.</summary>
public readonly record struct NamespaceJoin(int Type, string Path);

/// <summary>
/// Starts the runtime's own binary as a container stage inside new or joined namespaces. A dedicated thread
/// joins and unshares, then Process.Start forks and execs natively from it: no managed code ever runs in a
/// forked child. After unshare(CLONE_NEWPID) that thread cannot create threads, so it does nothing else.
/// </summary>
public static class StageLauncher
{
    public static Process Start(IReadOnlyList<NamespaceJoin> joins, int unshareFlags, StageChannel channel, string stageName,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var binary = Environment.ProcessPath ?? throw new InvalidOperationException("the runtime's own path is unknown");
        var startInfo = new ProcessStartInfo(binary) { UseShellExecute = false };
        startInfo.ArgumentList.Add(stageName);
        startInfo.Environment[StageChannel.EnvironmentVariable] = channel.ChildEnvironmentValue;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        // Process.Start creates .NET's signal-handling thread on first use; registering any signal handler
        // creates it now, on a thread that still may, instead of after unshare(CLONE_NEWPID).
        using (PosixSignalRegistration.Create(PosixSignal.SIGCONT, _ => { }))
        {
        }

        Process? started = null;
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
                started = Process.Start(startInfo);
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
            throw failure is LinuxException ? failure : new ContainerStageException($"start the {stageName} stage: {failure.Message}");
        return started ?? throw new ContainerStageException($"start the {stageName} stage: no process");
    }
}
