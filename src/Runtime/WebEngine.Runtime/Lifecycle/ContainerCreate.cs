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

    /// <summary>Creates the container. The init (record.Pid) is our child, or with a user namespace the C stage's child:
    /// wait for it by pid. The cgroup manager serves a `delete` in the same process (`run`) without finding the cgroup
    /// mounts again.</summary>
    public static (ContainerRecord Record, ICgroupManager Cgroup) Run(ContainerStore store, CreateOptions options)
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
        StageProcess? init = null;
        var initPid = 0;
        var cgroupCreated = false;
        try
        {
            var fifo = store.ExecFifoOf(options.Id);
            if (Libc.Mkfifo(fifo, 0b110_010_010) == -1)
                throw LinuxException.FromLastError($"mkfifo {fifo}");

            var (joins, unshareFlags, unshareCgroup) = PlanNamespaces(spec);
            // The init starts in the cgroup (see CgroupPlacement) and is never moved there by pid, which waits on
            // the kernel's global cgroup lock. Another thread creates it while the launcher's creates the namespaces.
            cgroupCreated = true;
            using var preparation = new CgroupPreparation(cgroup);
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
                // The stage forks the init inside the user namespace; the init inherits the stage's cgroup.
                var stage = StageLauncher.Start(joins, 0, channel, "init", environment, preparation.Wait);
                initPid = UserNamespaceStage.CompleteInit(channel, stage.Id, spec, userNamespace.Path, fifo);
                stage.WaitForExit();
            }
            else
            {
                init = StageLauncher.Start(joins, unshareFlags, channel, "init", placement: preparation.Wait);
                initPid = init.Id;
            }
            var record = new ContainerRecord
            {
                Id = options.Id,
                Bundle = bundle,
                Rootfs = SpecLoader.RootfsOf(spec, bundle),
                Pid = initPid,
                Created = DateTime.UtcNow,
                Owner = "root",
                Spec = spec,
                CgroupPath = cgroup.Path,
                CgroupMounts = cgroupMounts,
                CallerCgroups = callerCgroups,
            };
            var creatingState = ContainerStatusProbe.StateJson(ContainerStatusProbe.StateOf(store, record, LifecycleStatus.Creating));
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
                // Where the init bind-mounts the container's cgroup directories (no cgroup namespace).
                CgroupBinds = CgroupBindsOf(spec, cgroup),
                HookState = creatingState,
            });
            // The limits go in while the init sets itself up, as runc's do (it writes them at the init's "ready").
            cgroup.Apply(DeviceCgroupRules.WithDefaults(spec.Linux?.Resources, spec.Linux?.Devices));

            // The state goes to disk while the init sets itself up, rather than after "ready". An init already gone
            // here has failed: its message, read below, says why.
            var saved = false;
            if (ProcessStat.Read(initPid) is { State: not ('Z' or 'X') } stat)
            {
                record.PidStartTime = stat.StartTime;
                store.Save(record);
                saved = true;
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
            return (record, cgroup);
        }
        catch
        {
            if (initPid > 0)
            {
                var startTime = ProcessStat.Read(initPid)?.StartTime ?? 0;
                Libc.Kill(initPid, Libc.SIGKILL);
                if (init != null)
                    init.WaitForExit();
                else
                    ProcessTree.WaitForExit(initPid, startTime, TimeSpan.FromSeconds(10));
            }
            if (cgroupCreated)
                cgroup.Remove();
            store.Remove(options.Id);
            throw;
        }
    }

    /// <summary>Creates the container's cgroup and opens its <see cref="CgroupPlacement"/> on a thread of its own, in
    /// the host's mount namespace. Disposing waits for the thread, so that a failed create removes a finished cgroup.</summary>
    private sealed class CgroupPreparation : IDisposable
    {
        private readonly Thread _thread;
        private CgroupPlacement? _placement;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

        public CgroupPreparation(ICgroupManager cgroup)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    cgroup.Create();
                    _placement = CgroupPlacement.Open(cgroup);
                }
                catch (Exception e)
                {
                    _failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                }
            }, maxStackSize: 256 * 1024);
            _thread.Start();
        }

        /// <summary>Waits for the cgroup; the exception of creating it is rethrown unchanged.</summary>
        public CgroupPlacement Wait()
        {
            _thread.Join();
            _failure?.Throw();
            return _placement!;
        }

        public void Dispose()
        {
            _thread.Join();
            _placement?.Dispose();
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
