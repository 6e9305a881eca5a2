using WebEngine.Linux;
using WebEngine.Runtime.Spec;
using OciProcess = WebEngine.Oci.Process;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The last steps before execve, all on the thread that calls it (capabilities, the bounding set and
/// no_new_privs are per thread): rlimits, groups and ids, capabilities, no_new_privs, umask, execve.
/// </summary>
public static unsafe class ProcessFinalizer
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const uint CapabilityVersion3 = 0x20080522;

    /// <summary>Finds the program like execvp would, in the process's PATH; null when it is not there.</summary>
    public static string? LookPath(OciProcess process)
    {
        var program = process.Args![0];
        if (program.Contains('/'))
            return IsExecutable(Path.Combine(process.Cwd, program)) ? program : null;
        var path = process.Env?.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, program);
            if (IsExecutable(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>
    /// Checks the rlimit names and sets oomScoreAdj while the stage can still report errors to
    /// `create`. The limits themselves are set in <see cref="Exec"/>: the .NET runtime of this stage
    /// still maps memory while it waits for `start`, and a low RLIMIT_AS or RLIMIT_DATA would make
    /// that fail (seen: "Cannot allocate memory" in about one run in five).
    /// </summary>
    public static void PrepareRlimits(OciProcess process)
    {
        foreach (var rlimit in process.Rlimits ?? [])
            RlimitNames.Number(rlimit.Type);
        if (process.OomScoreAdj is { } adj)
            File.WriteAllText("/proc/self/oom_score_adj", adj.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void SetRlimits(OciProcess process)
    {
        foreach (var rlimit in process.Rlimits ?? [])
        {
            var limit = new RLimit { Current = rlimit.Soft, Maximum = rlimit.Hard };
            if (Libc.Setrlimit(RlimitNames.Number(rlimit.Type), &limit) == -1)
                throw LinuxException.FromLastError($"setrlimit {rlimit.Type}");
        }
    }

    /// <summary>
    /// Switches to the process's user and capabilities and runs it. <paramref name="installSeccomp"/>
    /// installs the filter: without no_new_privs the kernel only lets a thread that holds
    /// CAP_SYS_ADMIN install one, so then it runs first, before capabilities are dropped (the
    /// filter must allow the setresuid/capset/prctl calls that follow, as Docker's profile does);
    /// with no_new_privs it runs last, right before execve, as runc orders it.
    /// </summary>
    public static void Exec(OciProcess process, string programPath, int preserveFds, Action? installSeccomp)
    {
        Sys.CloseOnExecFrom(3 + preserveFds);
        SetRlimits(process);
        if (!process.NoNewPrivileges)
            installSeccomp?.Invoke();
        var caps = process.Capabilities;
        DropBoundingSet(CapabilityNames.Mask(caps?.Bounding, "bounding"));

        Sys.Prctl(Libc.PR_SET_KEEPCAPS, 1, "PR_SET_KEEPCAPS");
        var groups = (process.User.AdditionalGids ?? []).ToArray();
        fixed (uint* g = groups)
        {
            if (Libc.Setgroups((nuint)groups.Length, g) == -1)
                throw LinuxException.FromLastError("setgroups");
        }
        if (Libc.Setresgid(process.User.Gid, process.User.Gid, process.User.Gid) == -1)
            throw LinuxException.FromLastError($"setresgid {process.User.Gid}");
        if (Libc.Setresuid(process.User.Uid, process.User.Uid, process.User.Uid) == -1)
            throw LinuxException.FromLastError($"setresuid {process.User.Uid}");
        Sys.Prctl(Libc.PR_SET_KEEPCAPS, 0, "PR_SET_KEEPCAPS");

        SetCapabilities(
            CapabilityNames.Mask(caps?.Effective, "effective"),
            CapabilityNames.Mask(caps?.Permitted, "permitted"),
            CapabilityNames.Mask(caps?.Inheritable, "inheritable"));
        Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        // The kernel refuses an ambient capability that is not both permitted and inheritable.
        // `runc spec` writes ambient caps without inheritable ones, and runc skips such caps with
        // a warning rather than failing the container; do the same so its bundles run here.
        foreach (var name in caps?.Ambient ?? [])
            Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, (ulong)CapabilityNames.Number(name), 0, 0);
        if (process.NoNewPrivileges)
            Sys.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS");
        Libc.Umask(process.User.Umask ?? 0x12);
        ResetSignals();
        if (process.NoNewPrivileges)
            installSeccomp?.Invoke();
        Sys.Execve(programPath, process.Args!, EnvironmentOf(process));
    }

    /// <summary>
    /// Puts every signal back to its default action and unblocks all of them. The .NET runtime
    /// ignores SIGPIPE, and an ignored signal stays ignored across execve: without this, `yes | head`
    /// never ends inside the container.
    /// </summary>
    private static void ResetSignals()
    {
        for (var signal = 1; signal <= 64; signal++)
        {
            if (signal is 9 or 19 or 32 or 33)
                continue; // SIGKILL and SIGSTOP cannot change; 32 and 33 belong to glibc's threads.
            Libc.Signal(signal, 0);
        }
        var emptySet = stackalloc byte[128];
        new Span<byte>(emptySet, 128).Clear();
        Libc.Sigprocmask(Libc.SIG_SETMASK, emptySet, null);
    }

    /// <summary>The process's env, with HOME added from /etc/passwd (or "/") when missing, as runc does.</summary>
    public static List<string> EnvironmentOf(OciProcess process)
    {
        var env = process.Env?.ToList() ?? [];
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            env.Add("HOME=" + HomeOf(process.User.Uid));
        return env;
    }

    private static string HomeOf(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length >= 6 && fields[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    return fields[5];
            }
        }
        catch (IOException)
        {
            // No readable /etc/passwd in the image: "/" as runc uses.
        }
        return "/";
    }

    private static void DropBoundingSet(ulong keep)
    {
        var last = LastCapability();
        for (var cap = 0; cap <= last; cap++)
        {
            if ((keep & (1UL << cap)) != 0)
                continue;
            if (Libc.Prctl(Libc.PR_CAPBSET_DROP, (ulong)cap, 0, 0, 0) == -1)
                throw LinuxException.FromLastError($"drop capability {cap} from the bounding set");
        }
    }

    private static int LastCapability()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return CapabilityNames.All.Count - 1;
        }
    }

    private static void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new CapHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = stackalloc CapData[2];
        data[0] = new CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        if (Libc.Capset(&header, data) == -1)
            throw LinuxException.FromLastError("capset");
    }

    /// <summary>The file mode of a program given with a path (relative to the process's cwd), or null when there is none.</summary>
    public static uint? TryStatProgram(OciProcess process) => Sys.TryStat(Path.Combine(process.Cwd, process.Args![0])) is { } st ? st.Mode : null;

    private static bool IsExecutable(string path)
    {
        var st = Sys.TryStat(path);
        return st is { } s && (s.Mode & Libc.S_IFMT) == Libc.S_IFREG && (s.Mode & 0x49) != 0;
    }
}
