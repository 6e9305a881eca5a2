using Process = System.Diagnostics.Process;
using WebEngine.Linux;
using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;
using WebEngine.Runtime.Hooks;
using WebEngine.Runtime.Init;
using WebEngine.Runtime.Spec;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>The options of `create` (and of `run`, which creates first). <see cref="TerminalProxySocket"/>, given by a
/// foreground `run`, opens the socket of the runtime's own terminal proxy when process.terminal is set and no
/// --console-socket was given, and returns its path.</summary>
public sealed record CreateOptions(
    string Id,
    string Bundle,
    string? PidFile = null,
    string? ConsoleSocket = null,
    bool NoPivot = false,
    int PreserveFds = 0,
    bool NoNewKeyring = false,
    Func<string>? TerminalProxySocket = null);

/// <summary>
/// `create`: starts the init stage in new namespaces, puts it in the container's cgroup, runs the prestart and
/// createRuntime hooks when it asks, and returns once it waits on the exec fifo. On any failure the init is
/// killed and the cgroup and state directory are removed, so nothing is left behind.
/// </summary>
public static class ContainerCreate
{
    private static readonly Dictionary<string, (int Flag, string ProcName)> Namespaces = new()
    {
        ["pid"] = (Libc.CLONE_NEWPID, "pid"), ["network"] = (Libc.CLONE_NEWNET, "net"),
        ["mount"] = (Libc.CLONE_NEWNS, "mnt"), ["ipc"] = (Libc.CLONE_NEWIPC, "ipc"),
        ["uts"] = (Libc.CLONE_NEWUTS, "uts"), ["cgroup"] = (Libc.CLONE_NEWCGROUP, "cgroup"), ["user"] = (Libc.CLONE_NEWUSER, "user"),
    };

    /// <summary>Creates the container. The init is returned as a Process when it is our child; with a user
    /// namespace it is the C stage's child and is null (wait for it by pid). The cgroup manager serves a `delete`
    /// in the same process (`run`) without finding the cgroup mounts again.</summary>
    public static (ContainerRecord Record, Process? Init, ICgroupManager Cgroup) Run(ContainerStore store, CreateOptions options)
    {
        var bundle = Path.GetFullPath(options.Bundle);
        var spec = SpecLoader.Load(bundle);
        var process = spec.Process!;
        if (process.Terminal && options.ConsoleSocket == null && options.TerminalProxySocket == null)
            throw new InvalidArgumentException("process.terminal is true: --console-socket is required (only a foreground run proxies the terminal itself)");
        if (!process.Terminal && options.ConsoleSocket != null)
            throw new InvalidArgumentException("--console-socket was given but process.terminal is false");
        var consoleSocket = options.ConsoleSocket is { } socket ? Path.GetFullPath(socket)
            : process.Terminal ? options.TerminalProxySocket!() : null;

        var (cgroup, cgroupMounts, callerCgroups) = ContainerCgroups.OpenNew(spec, options.Id);
        var directory = store.Reserve(options.Id);
        Process? init = null;
        var initPid = 0;
        var cgroupCreated = false;
        CgroupAttach? attach = null;
        try
        {
            var fifo = store.ExecFifoOf(options.Id);
            if (Libc.Mkfifo(fifo, 0b110_010_010) == -1)
                throw LinuxException.FromLastError($"mkfifo {fifo}");

            var (joins, unshareFlags, unshareCgroup) = PlanNamespaces(spec);
            // Another thread creates the cgroup and starts the wait for moving the init in, while this one starts
            // the init (see CgroupAttach).
            cgroupCreated = true;
            attach = new CgroupAttach(cgroup);
            var userNamespace = spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == "user");
            using var channel = StageChannel.CreateForParent();
            if (userNamespace != null)
            {
                // The init is root of its user namespace only: it must still reach the fifo in our state directory
                // (UserNamespaceStage gives it the fifo once the namespace's maps are known).
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                var environment = new Dictionary<string, string>
                {
                    [UserNamespaceStage.CreateVariable] = unshareFlags.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                if (userNamespace.Path != null)
                    environment[UserNamespaceStage.PathVariable] = userNamespace.Path;
                using var stage = StageLauncher.Start(joins, 0, channel, "init", environment);
                initPid = UserNamespaceStage.CompleteInit(channel, stage.Id, spec, userNamespace.Path, fifo);
                stage.WaitForExit();
            }
            else
            {
                init = StageLauncher.Start(joins, unshareFlags, channel, "init");
                initPid = init.Id;
            }
            attach.Attach(initPid);
            var record = new ContainerRecord
            {
                Id = options.Id,
                Bundle = bundle,
                Rootfs = SpecLoader.RootfsOf(spec, bundle),
                Pid = initPid,
                Created = DateTime.UtcNow,
                Owner = "root",
                Spec = spec,
            };
            var creatingState = ContainerStatusProbe.StateJson(ContainerStatusProbe.StateOf(store, record, LifecycleStatus.Creating));
            // Where the init bind-mounts the container's cgroup directories (no cgroup namespace), they must exist first.
            var cgroupBinds = CgroupBindsOf(spec, cgroup);
            if (cgroupBinds != null)
                attach.WaitUntilCreated();
            channel.SendRequest(new InitRequest
            {
                Id = options.Id,
                Bundle = bundle,
                Rootfs = record.Rootfs,
                Spec = spec,
                Process = process,
                ExecFifo = fifo,
                ConsoleSocket = consoleSocket,
                PreserveFds = options.PreserveFds,
                NoPivot = options.NoPivot,
                NoNewKeyring = options.NoNewKeyring,
                UnshareCgroupNamespace = unshareCgroup,
                CgroupBinds = cgroupBinds,
                HookState = creatingState,
            });
            // The limits go in while the move waits: writing them does not take the lock the move holds.
            attach.WaitUntilCreated();
            cgroup.Apply(DeviceCgroupRules.WithDefaults(spec.Linux?.Resources, spec.Linux?.Devices));

            record.CgroupPath = cgroup.Path;
            record.CgroupMounts = cgroupMounts;
            record.CallerCgroups = callerCgroups;
            // The state goes to disk while the move into the cgroup still waits, rather than after "ready". An init
            // already gone here has failed: its message, read below, says why.
            var saved = false;
            if (ProcessStat.Read(initPid) is { State: not ('Z' or 'X') } stat)
            {
                record.PidStartTime = stat.StartTime;
                store.Save(record);
                saved = true;
            }
            try
            {
                attach.Complete();
            }
            catch (CgroupException) when (ProcessStat.Read(initPid) is not { State: not ('Z' or 'X') })
            {
                // The init failed in its setup before "go" and exited before the move: its own message, read below,
                // says why, not the failed move.
            }
            // The init sets up what it can before "go": when that failed it has exited, and its message follows.
            channel.TrySendByte(StageChannel.Go);
            WaitUntilReady(channel, spec, creatingState, initPid);

            if (!saved)
            {
                record.PidStartTime = ProcessStat.Read(initPid)?.StartTime
                    ?? throw new ContainerStageException("the init stage exited right after setting up the container");
                store.Save(record);
            }
            if (options.PidFile != null)
                PidFile.Write(options.PidFile, initPid);
            return (record, init, cgroup);
        }
        catch
        {
            attach?.Cancel();
            if (initPid > 0)
            {
                var startTime = ProcessStat.Read(initPid)?.StartTime ?? 0;
                Libc.Kill(initPid, Libc.SIGKILL);
                if (init != null)
                    init.WaitForExit();
                else
                    ProcessTree.WaitForExit(initPid, startTime, TimeSpan.FromSeconds(10));
            }
            init?.Dispose();
            if (cgroupCreated)
                cgroup.Remove();
            store.Remove(options.Id);
            throw;
        }
    }

    /// <summary>
    /// Creates the container's cgroup and moves the init into it, on a thread of its own started before the init is,
    /// so that neither waits for the other. The first pid written to a cgroup.procs in a while waits for an RCU grace
    /// period (the kernel's process-group lock; 7 to 17 ms measured here): once the cgroup exists the thread starts
    /// that wait with <see cref="ICgroupManager.WarmUpAttach"/>, so that it overlaps the init's start, then moves the
    /// init once its pid is known. The wait comes after <see cref="ICgroupManager.Create"/> because the kernel holds
    /// its cgroup mutex through it, which blocks mkdir in cgroupfs (not reading /proc/self/cgroup, nor writing limits).
    /// </summary>
    private sealed class CgroupAttach
    {
        private readonly object _gate = new();
        private readonly Thread _thread;
        private int _pid;
        private bool _created;
        private bool _cancelled;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _createFailure;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

        public CgroupAttach(ICgroupManager cgroup)
        {
            _thread = new Thread(() => Run(cgroup), maxStackSize: 256 * 1024);
            _thread.Start();
        }

        /// <summary>Hands the thread the init's pid to move.</summary>
        public void Attach(int pid)
        {
            lock (_gate)
            {
                _pid = pid;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Waits until the cgroup exists; the exception of creating it is rethrown unchanged.</summary>
        public void WaitUntilCreated()
        {
            lock (_gate)
            {
                while (!_created)
                    Monitor.Wait(_gate);
            }
            _createFailure?.Throw();
        }

        /// <summary>Waits for the move; its exception is rethrown unchanged.</summary>
        public void Complete()
        {
            _thread.Join();
            _failure?.Throw();
        }

        /// <summary>Create failed: the thread moves nothing it was not given yet, and is done when this returns.</summary>
        public void Cancel()
        {
            lock (_gate)
            {
                _cancelled = true;
                Monitor.PulseAll(_gate);
            }
            _thread.Join();
        }

        private void Run(ICgroupManager cgroup)
        {
            try
            {
                cgroup.Create();
            }
            catch (Exception e)
            {
                _createFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
            lock (_gate)
            {
                _created = true;
                Monitor.PulseAll(_gate);
            }
            if (_createFailure != null)
                return;
            cgroup.WarmUpAttach();
            int pid;
            lock (_gate)
            {
                while (_pid == 0 && !_cancelled)
                    Monitor.Wait(_gate);
                pid = _pid;
            }
            if (pid == 0)
                return;
            try
            {
                cgroup.AddProcess(pid);
            }
            catch (Exception e)
            {
                _failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }
    }

    private static void WaitUntilReady(StageChannel channel, RuntimeSpec spec, string creatingState, int initPid)
    {
        while (true)
        {
            var message = channel.ReceiveMessage();
            switch (message?.Tag)
            {
                case StageChannel.RunHooks:
                    HookRunner.Run(spec.Hooks?.Prestart, "prestart", creatingState);
                    HookRunner.Run(spec.Hooks?.CreateRuntime, "createRuntime", creatingState);
                    channel.SendByte(StageChannel.Go);
                    break;
                case StageChannel.Ready:
                    return;
                case StageChannel.Error:
                    throw new ContainerStageException(message.Value.Message);
                case StageChannel.NotFound:
                    throw new ContainerStageException(message.Value.Message, programNotFound: true);
                default:
                    throw new ContainerStageException($"the init stage (pid {initPid}) exited before the container was set up");
            }
        }
    }

    /// <summary>
    /// The container's cgroup directory per hierarchy, keyed by its controllers as /proc/self/cgroup names them, when
    /// the spec mounts cgroupfs without a cgroup namespace; otherwise null. The init bind-mounts these directories
    /// instead of cgroupfs, so the container sees its own cgroup at the root of each hierarchy, as with a cgroup
    /// namespace, and not the host's whole tree (a user namespace has no choice: the kernel refuses that mount).
    /// </summary>
    private static Dictionary<string, string>? CgroupBindsOf(RuntimeSpec spec, ICgroupManager cgroup)
    {
        if (spec.Linux?.Namespaces?.Any(n => n.Type == "cgroup") == true || spec.Mounts?.Any(m => m.Type == "cgroup") != true)
            return null;
        // Directories has a key per controller: comounted controllers share their hierarchy's directory.
        var controllersOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (controller, directory) in cgroup.Directories)
            controllersOf[directory] = controllersOf.TryGetValue(directory, out var others) ? others + "," + controller : controller;
        var binds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (directory, controllers) in controllersOf)
            binds[controllers] = directory;
        return binds;
    }

    private static (List<NamespaceJoin> Joins, int UnshareFlags, bool UnshareCgroup) PlanNamespaces(RuntimeSpec spec)
    {
        var joins = new List<NamespaceJoin>();
        var flags = 0;
        var unshareCgroup = false;
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            if (ns.Type == "user")
                continue;
            var (flag, _) = Namespaces[ns.Type];
            if (ns.Path != null)
                joins.Add(new NamespaceJoin(flag, ns.Path));
            else if (flag == Libc.CLONE_NEWCGROUP)
                unshareCgroup = true;
            else
                flags |= flag;
        }
        return (joins, flags, unshareCgroup);
    }

    /// <summary>The /proc/&lt;pid&gt;/ns name of a config namespace type ("network" is "net").</summary>
    public static string ProcNameOf(string type) => Namespaces[type].ProcName;

    public static int FlagOf(string type) => Namespaces[type].Flag;
}
