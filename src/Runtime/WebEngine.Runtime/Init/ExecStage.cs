using WebEngine.Linux;
using WebEngine.Runtime.Seccomp;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The exec stage: started by `exec` already inside the container's cgroup, ipc, uts, net and pid namespaces,
/// but in the host's mount namespace (so its own binary could be found). It joins the mount namespace
/// itself, then sets up the process like an init does and execs it.
/// </summary>
public static class ExecStage
{
    public static int Run(StageChannel channel)
    {
        InitRequest request;
        try
        {
            request = channel.ReceiveRequest();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"webengine-runtime exec: read the exec request: {e.Message}");
            return 1;
        }
        try
        {
            if (!channel.WaitForGo())
                return 1;
            var consoleSocket = request.Process.Terminal && request.ConsoleSocket != null ? ConsoleSetup.Connect(request.ConsoleSocket) : -1;
            // A multithreaded process may only join a mount namespace once its thread has its own fs_struct.
            Sys.Unshare(Libc.CLONE_FS);
            Sys.Setns($"/proc/{request.ContainerPid}/ns/mnt", Libc.CLONE_NEWNS);
            Sys.Chdir("/");
            if (consoleSocket >= 0)
                ConsoleSetup.Setup(consoleSocket, request.Process.ConsoleSize);
            Sys.Chdir(request.Process.Cwd);
            ProcessFinalizer.PrepareRlimits(request.Process);
            var programPath = ProcessFinalizer.LookPath(request.Process)
                ?? throw new ContainerStageException(ContainerInit.NotFoundMessage(request.Process), programNotFound: true);
            var seccomp = request.Spec.Linux?.Seccomp is { } filter ? SeccompProgram.Compile(filter) : null;
            if (request.Detach)
            {
                // The runtime that started this stage is its parent and reaps it if it ends first, and
                // then the caller (a shim, the subreaper) never learns the exit status. So a detached
                // process starts only once `exec -d` has exited: its end of the channel closes then.
                channel.SendMessage(StageChannel.Ready, "");
                channel.WaitForParentExit();
            }
            ProcessFinalizer.Exec(request.Process, programPath, request.PreserveFds, seccomp == null ? null : seccomp.Install);
            return 1;
        }
        catch (Exception e)
        {
            return StageFailure.Report(channel, e);
        }
    }
}
