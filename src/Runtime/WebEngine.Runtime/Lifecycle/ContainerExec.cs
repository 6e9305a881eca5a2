using System.Diagnostics;
using WebEngine.Linux;
using WebEngine.Runtime.Cgroups;
using WebEngine.Runtime.Init;
using WebEngine.Runtime.Spec;
using OciProcess = WebEngine.Oci.Process;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>The options of `exec` that are not part of the process itself.</summary>
/// <remarks><see cref="Started"/> runs once the process is started, before `exec` waits for it (a terminal proxy starts there).</remarks>
public sealed record ExecOptions(string Id, OciProcess Process, string? ConsoleSocket, string? PidFile, bool Detach, int PreserveFds,
    Action? Started = null);

/// <summary>
/// `exec`: a dedicated thread joins the container's cgroup, ipc, uts, net and pid namespaces and starts the
/// exec stage, which joins the mount namespace itself (the runtime's binary is not in the container's
/// rootfs), is put in the container's cgroup, and execs the process.
/// </summary>
public static class ContainerExec
{
    private static readonly string[] JoinOrder = ["cgroup", "ipc", "uts", "network", "pid"];

    /// <summary>Runs the process; returns its exit status, or 0 once started with <see cref="ExecOptions.Detach"/>.</summary>
    public static int Run(ContainerStore store, ExecOptions options)
    {
        var record = store.Load(options.Id);
        LifecycleRules.Require(LifecycleOperation.Exec, options.Id, ContainerStatusProbe.StatusOf(store, record));
        SpecLoader.ValidateProcess(options.Process, "process");
        if (options.Process.Terminal && options.ConsoleSocket == null)
            throw new InvalidArgumentException("exec with a terminal needs --console-socket (only a foreground exec proxies the terminal itself)");

        var spec = record.Spec;
        var joins = new List<NamespaceJoin>();
        foreach (var type in JoinOrder)
        {
            if (spec.Linux?.Namespaces?.Any(n => n.Type == type) == true)
                joins.Add(new NamespaceJoin(ContainerCreate.FlagOf(type), $"/proc/{record.Pid}/ns/{ContainerCreate.ProcNameOf(type)}"));
        }

        // A user namespace can only be joined single-threaded: the C constructor of the stage does it.
        var environment = new Dictionary<string, string>();
        if (spec.Linux?.Namespaces?.Any(n => n.Type == "user") == true)
            environment[UserNamespaceStage.JoinVariable] = $"/proc/{record.Pid}/ns/user";
        using var channel = StageChannel.CreateForParent();
        StageProcess stage;
        // The exec'd process starts in the container's cgroup (see CgroupPlacement), opened here, before the
        // launcher's thread joins the container's mount namespace.
        using (var placement = CgroupPlacement.Open(ContainerCgroups.Open(record)))
            stage = StageLauncher.Start(joins, 0, channel, "exec", environment, () => placement);
        try
        {
            channel.SendRequest(new InitRequest
            {
                Id = options.Id,
                Bundle = record.Bundle,
                Rootfs = record.Rootfs,
                Spec = spec,
                Process = options.Process,
                ConsoleSocket = options.ConsoleSocket is { } socket ? Path.GetFullPath(socket) : null,
                PreserveFds = options.PreserveFds,
                ContainerPid = record.Pid,
                Detach = options.Detach,
            });
            if (options.Detach)
                channel.HoldOpenUntilExit();
            channel.SendByte(StageChannel.Go);
            var message = channel.ReceiveMessage();
            if (message is { Tag: not StageChannel.Ready } failure)
                throw new ContainerStageException(failure.Message, programNotFound: failure.Tag == StageChannel.NotFound);
        }
        catch
        {
            Libc.Kill(stage.Id, Libc.SIGKILL);
            stage.WaitForExit();
            throw;
        }

        if (options.PidFile != null)
            PidFile.Write(options.PidFile, stage.Id);
        if (options.Detach)
            return 0;
        options.Started?.Invoke();
        stage.WaitForExit();
        return stage.ExitCode;
    }

    /// <summary>The process `exec` runs when no --process file is given: the container's process with the command line's changes.</summary>
    public static OciProcess BuildProcess(ContainerRecord record, IReadOnlyList<string> args, bool tty, string? cwd,
        IReadOnlyList<string> env, string? user, IReadOnlyList<string> addedCaps, bool? noNewPrivileges)
    {
        var template = record.Spec.Process ?? new OciProcess();
        var process = new OciProcess
        {
            Args = [.. args],
            Terminal = tty,
            Cwd = cwd ?? template.Cwd,
            Env = [.. template.Env ?? [], .. env],
            User = new Oci.User
            {
                Uid = template.User.Uid,
                Gid = template.User.Gid,
                AdditionalGids = template.User.AdditionalGids,
                Umask = template.User.Umask,
            },
            Capabilities = template.Capabilities,
            Rlimits = template.Rlimits,
            NoNewPrivileges = noNewPrivileges ?? template.NoNewPrivileges,
            ApparmorProfile = template.ApparmorProfile,
            OomScoreAdj = template.OomScoreAdj,
        };
        if (user != null)
        {
            var parts = user.Split(':', 2);
            if (!uint.TryParse(parts[0], out var uid) || (parts.Length == 2 && !uint.TryParse(parts[1], out _)))
                throw new InvalidArgumentException($"--user \"{user}\": expected uid[:gid] as numbers");
            process.User.Uid = uid;
            process.User.Gid = parts.Length == 2 ? uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
        if (addedCaps.Count > 0)
        {
            var caps = template.Capabilities ?? new Oci.Capabilities();
            List<string> With(List<string>? set) => [.. (set ?? []).Union(addedCaps.Select(c => c.ToUpperInvariant()))];
            process.Capabilities = new Oci.Capabilities
            {
                Bounding = With(caps.Bounding),
                Effective = With(caps.Effective),
                Permitted = With(caps.Permitted),
                Inheritable = caps.Inheritable,
                Ambient = caps.Ambient,
            };
        }
        return process;
    }
}
