using WebEngine.Linux;
using WebEngine.Runtime.Hooks;
using WebEngine.Runtime.Seccomp;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The container's init stage: PID 1 of the new namespaces. It builds the rootfs, reports to `create`, then
/// blocks on the exec fifo until `start` opens it, and finally becomes the user's program with execve.
/// </summary>
public static class ContainerInit
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
            Console.Error.WriteLine($"webengine-runtime init: read the init request: {e.Message}");
            return 1;
        }
        int execFifo;
        string programPath;
        SeccompProgram? seccomp;
        try
        {
            // Until "go", `create` moves us into the container's cgroup (a wait of several milliseconds): meanwhile
            // the init does what does not depend on that cgroup.
            var spec = request.Spec;
            if (spec.Hostname != null)
                Sys.Sethostname(spec.Hostname);
            if (spec.Domainname != null)
                Sys.Setdomainname(spec.Domainname);
            // A session keyring of its own, so the container cannot read the keys of whoever ran `create`.
            if (!request.NoNewKeyring && Libc.SyscallKeyctl(Libc.SYS_keyctl, Libc.KEYCTL_JOIN_SESSION_KEYRING, "_ses." + request.Id) == -1
                && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.ENOSYS)
                throw LinuxException.FromLastError("join a new session keyring");
            var consoleSocket = request.Process.Terminal && request.ConsoleSocket != null ? ConsoleSetup.Connect(request.ConsoleSocket) : -1;
            // The fifo is unreachable after pivot_root: keep an O_PATH fd and reopen it through /proc/self/fd.
            execFifo = Sys.Open(request.ExecFifo!, Libc.O_PATH);

            // Only a cgroup namespace of its own makes the init's setup depend on its cgroup (its cgroup mounts show
            // the namespace's root); only the hooks of `create` must see the container set up but not yet pivoted.
            // Without either, the whole setup happens before "go", while `create` still waits for the move into the
            // cgroup (a kernel grace period, the longest wait of create), and "go" is answered with "ready".
            var cgroupNamespace = request.UnshareCgroupNamespace;
            var createHooks = HasCreateHooks(spec.Hooks);
            var mountsDone = RootfsSetup.PrepareBeforeCgroup(request, stopAtCgroupMount: cgroupNamespace);
            if (!cgroupNamespace)
                RootfsSetup.PrepareInCgroup(request, mountsDone);
            (string Path, SeccompProgram? Filter)? program = null;
            if (!cgroupNamespace && !createHooks)
                program = FinishSetup(request, consoleSocket);

            if (!channel.WaitForGo())
                return 1;
            if (cgroupNamespace)
            {
                // In the container's cgroup now, so the cgroup namespace gets that as its root.
                Sys.Unshare(Libc.CLONE_NEWCGROUP);
                RootfsSetup.PrepareInCgroup(request, mountsDone);
            }
            if (createHooks)
            {
                channel.SendMessage(StageChannel.RunHooks, "");
                if (!channel.WaitForGo())
                    return 1;
                HookRunner.Run(spec.Hooks?.CreateContainer, "createContainer", request.HookState!);
            }
            (programPath, seccomp) = program ?? FinishSetup(request, consoleSocket);
        }
        catch (Exception e)
        {
            return StageFailure.Report(channel, e);
        }

        channel.SendMessage(StageChannel.Ready, "");
        channel.Dispose();
        try
        {
            var fifo = Sys.Open($"/proc/self/fd/{execFifo}", Libc.O_WRONLY);
            Sys.WriteAll(fifo, "0"u8, "exec fifo");
            Libc.Close(fifo);
            Libc.Close(execFifo);
            HookRunner.Run(request.Spec.Hooks?.StartContainer, "startContainer", request.HookState!);
            ProcessFinalizer.Exec(request.Process, programPath, request.PreserveFds, seccomp == null ? null : seccomp.Install);
        }
        catch (LinuxException e) when (e.ErrorNumber == Errno.ENOEXEC)
        {
            // A binary for another architecture (or no binary at all): runc's words, which users and docker know.
            Console.Error.WriteLine($"webengine-runtime init: {e.Operation}: exec format error");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"webengine-runtime init: {e.Message}");
        }
        return 1;
    }

    /// <summary>Whether `create` has hooks to run while the init waits (prestart, createRuntime, createContainer).</summary>
    public static bool HasCreateHooks(Oci.Hooks? hooks) =>
        hooks?.Prestart is { Count: > 0 } || hooks?.CreateRuntime is { Count: > 0 } || hooks?.CreateContainer is { Count: > 0 };

    /// <summary>From pivot_root to what execve needs: the rootfs finished, the terminal, the cwd, the program and its filter.</summary>
    private static (string Path, SeccompProgram? Filter) FinishSetup(InitRequest request, int consoleSocket)
    {
        RootfsSetup.PivotRoot(request);
        RootfsSetup.Finish(request);
        if (consoleSocket >= 0)
            ConsoleSetup.Setup(consoleSocket, request.Process.ConsoleSize);
        Sys.Chdir(request.Process.Cwd);
        ProcessFinalizer.PrepareRlimits(request.Process);
        var programPath = ProcessFinalizer.LookPath(request.Process)
            ?? throw new ContainerStageException(NotFoundMessage(request.Process), programNotFound: true);
        var seccomp = request.Spec.Linux?.Seccomp is { } filter ? SeccompProgram.Compile(filter) : null;
        return (programPath, seccomp);
    }

    /// <summary>
    /// Why the program cannot run, in the words Docker's CLI maps to exit codes: 127 for "executable file not found" or
    /// "no such file or directory", 126 for "permission denied" or "is a directory".
    /// </summary>
    public static string NotFoundMessage(Oci.Process process)
    {
        var program = process.Args![0];
        if (!program.Contains('/'))
            return $"exec: \"{program}\": executable file not found in $PATH";
        return ProcessFinalizer.TryStatProgram(process) switch
        {
            null => $"exec: \"{program}\": stat {program}: no such file or directory",
            { } mode when (mode & Libc.S_IFMT) == Libc.S_IFDIR => $"exec: \"{program}\": is a directory",
            _ => $"exec: \"{program}\": permission denied",
        };
    }
}
