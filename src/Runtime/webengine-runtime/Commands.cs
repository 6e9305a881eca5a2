using System.Text.Json;
using WebEngine.Oci;
using WebEngine.Runtime.Lifecycle;
using WebEngine.Runtime.Spec;

namespace WebEngine.Runtime.Cli;

/// <summary>One short method per runc command: parse its flags, call the library, print the result.</summary>
public sealed class Commands(ContainerStore store, ErrorLog log)
{
    public const string Version = "0.1.0";

    public static string VersionText => $"webengine-runtime version {Version}\nspec: 1.2.0\n";

    public static string HelpText => """
        usage: webengine-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID
        commands (runc's command line):
          create   --bundle DIR --pid-file FILE --console-socket SOCK --no-pivot --preserve-fds N ID
          start ID | run [-d] [create options] ID | state ID | kill [--all] ID [SIGNAL]
          delete [--force] ID | list [--format table|json] [-q] | ps [--format table|json] ID
          pause ID | resume ID | spec [--bundle DIR] | features
          exec [-d] [-t] [--console-socket SOCK] [--pid-file FILE] [--cwd DIR] [--env K=V] [--user UID[:GID]]
               [--cap CAP] [--process FILE] ID [COMMAND ARGS...]

        """;

    private static readonly string[] CreateValues = ["bundle|b", "pid-file", "console-socket", "preserve-fds"];
    private static readonly string[] CreateSwitches = ["no-pivot", "no-new-keyring"];

    public int Run(string command, string[] args) => command switch
    {
        "create" => Create(args),
        "start" => Start(args),
        "run" => RunContainer(args),
        "state" => State(args),
        "kill" => Kill(args),
        "delete" => Delete(args),
        "list" => List(args),
        "ps" => Ps(args),
        "pause" => Pause(args, pause: true),
        "resume" => Pause(args, pause: false),
        "exec" => Exec(args),
        "spec" => WriteSpec(args),
        "features" => Features(args),
        _ => throw new InvalidArgumentException($"unknown command \"{command}\" (see --help)"),
    };

    private int Create(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, CreateValues, CreateSwitches);
        ContainerCreate.Run(store, CreateOptionsOf(cl, cl.RequireId("create")));
        return 0;
    }

    private int Start(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, [], []);
        foreach (var failure in ContainerStart.Run(store, cl.RequireId("start")))
            log.Warning(failure);
        return 0;
    }

    private int RunContainer(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, CreateValues, [.. CreateSwitches, "detach|d", "keep"]);
        var id = cl.RequireId("run");
        // With a user namespace the init is a grandchild: as a subreaper, `run` inherits it and can wait for it.
        WebEngine.Linux.Sys.Prctl(WebEngine.Linux.Libc.PR_SET_CHILD_SUBREAPER, 1, "PR_SET_CHILD_SUBREAPER");
        // In the foreground, a terminal without --console-socket is proxied by the runtime itself, as runc does.
        TerminalProxy? proxy = null;
        var options = CreateOptionsOf(cl, id) with
        {
            TerminalProxySocket = cl.Has("detach") ? null : () => (proxy = TerminalProxy.Listen()).SocketPath,
        };
        try
        {
            var (record, cgroup) = ContainerCreate.Run(store, options);
            try
            {
                proxy?.Start();
                foreach (var failure in ContainerStart.Run(store, record))
                    log.Warning(failure);
            }
            catch
            {
                ContainerDelete.Run(store, id, force: true);
                throw;
            }
            if (cl.Has("detach"))
                return 0;
            using var forwarder = new SignalForwarder(record.Pid, forwardWindowChange: proxy == null);
            // The init is our child, or with a user namespace the C stage's child, which `run` inherits as a subreaper.
            var status = ProcessTree.WaitForChild(record.Pid);
            proxy?.Finish();
            if (!cl.Has("keep"))
            {
                foreach (var failure in ContainerDelete.Run(store, record, force: true, cgroup))
                    log.Warning(failure);
            }
            return status;
        }
        finally
        {
            proxy?.Dispose();
        }
    }

    private int State(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, [], []);
        var record = store.Load(cl.RequireId("state"));
        Console.Out.WriteLine(ContainerStatusProbe.StateJson(ContainerStatusProbe.StateOf(store, record)));
        return 0;
    }

    private int Kill(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, [], ["all|a"]);
        var id = cl.RequireId("kill", expected: 2);
        var signal = SignalNames.Parse(cl.Positionals.Count > 1 ? cl.Positionals[1] : "SIGTERM");
        ContainerKill.Run(store, id, signal, cl.Has("all"));
        return 0;
    }

    private int Delete(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, [], ["force|f"]);
        foreach (var failure in ContainerDelete.Run(store, cl.RequireId("delete"), cl.Has("force")))
            log.Warning(failure);
        return 0;
    }

    private int List(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, ["format|f"], ["quiet|q"]);
        var entries = ContainerList.Run(store);
        if (cl.Has("quiet"))
        {
            foreach (var entry in entries)
                Console.Out.WriteLine(entry.Id);
        }
        else if (cl.Value("format") == "json")
        {
            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(ContainerList.ToJson(entries)));
        }
        else
        {
            Console.Out.WriteLine(TextTable.Format(["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"],
                entries.Select(e => new[] { e.Id, e.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Status, e.Bundle, e.Created.ToString("o"), e.Owner })));
        }
        return 0;
    }

    private int Ps(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, ["format|f"], [], stopAtPositional: true);
        var id = cl.Positionals.Count > 0 ? cl.Positionals[0] : throw new InvalidArgumentException("ps: the container id is required");
        var pids = ContainerPs.Run(store, id);
        if (cl.Value("format") == "json")
        {
            Console.Out.WriteLine($"[{string.Join(',', pids)}]");
            return 0;
        }
        return PsTable.Print(pids, cl.Positionals.Skip(1).ToArray());
    }

    private int Pause(string[] args, bool pause)
    {
        var cl = CommandLine.Parse(args, 0, [], []);
        var id = cl.RequireId(pause ? "pause" : "resume");
        if (pause)
            ContainerPause.Pause(store, id);
        else
            ContainerPause.Resume(store, id);
        return 0;
    }

    private int Exec(string[] args)
    {
        var cl = CommandLine.Parse(args, 0,
            ["console-socket", "pid-file", "cwd", "env|e", "user|u", "cap|c", "process|p", "preserve-fds", "apparmor", "process-label", "additional-gids|g"],
            ["detach|d", "tty|t", "no-new-privs"], stopAtPositional: true);
        var id = cl.Positionals.Count > 0 ? cl.Positionals[0] : throw new InvalidArgumentException("exec: the container id is required");
        Oci.Process process;
        if (cl.Value("process") is { } processFile)
        {
            try
            {
                process = SpecReader.ReadProcessDocument(File.ReadAllBytes(processFile));
            }
            catch (JsonException e)
            {
                throw new InvalidSpecException($"parse {processFile}: {e.Message}", e);
            }
        }
        else
        {
            if (cl.Positionals.Count < 2)
                throw new InvalidArgumentException("exec: a command (or --process FILE) is required");
            process = ContainerExec.BuildProcess(store.Load(id), cl.Positionals.Skip(1).ToList(), cl.Has("tty"), cl.Value("cwd"),
                cl.Values("env"), cl.Value("user"), cl.Values("cap"), cl.Has("no-new-privs") ? true : null);
        }
        var preserve = ParseCount(cl.Value("preserve-fds"), "--preserve-fds");
        var consoleSocket = cl.Value("console-socket");
        // In the foreground, a terminal without --console-socket is proxied by the runtime itself, as runc does.
        using var proxy = process.Terminal && consoleSocket == null && !cl.Has("detach") ? TerminalProxy.Listen() : null;
        if (proxy != null && TerminalProxy.CurrentSize() is { } size)
            process.ConsoleSize = size;
        var status = ContainerExec.Run(store, new ExecOptions(id, process, proxy?.SocketPath ?? consoleSocket, cl.Value("pid-file"),
            cl.Has("detach"), preserve, proxy == null ? null : proxy.Start));
        proxy?.Finish();
        return status;
    }

    private static int WriteSpec(string[] args)
    {
        var cl = CommandLine.Parse(args, 0, ["bundle|b"], ["rootless"]);
        var path = Path.Combine(cl.Value("bundle") ?? ".", "config.json");
        var json = SpecWriter.ToUtf8(DefaultSpec.Create(), indented: true);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.Write(json);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new InvalidArgumentException($"spec: {path} already exists; remove it first");
        }
        return 0;
    }

    private static int Features(string[] args)
    {
        CommandLine.Parse(args, 0, [], []);
        Console.Out.WriteLine(RuntimeFeaturesDocument.Json());
        return 0;
    }

    private static CreateOptions CreateOptionsOf(CommandLine cl, string id) => new(
        id,
        cl.Value("bundle") ?? Directory.GetCurrentDirectory(),
        cl.Value("pid-file"),
        cl.Value("console-socket"),
        cl.Has("no-pivot"),
        ParseCount(cl.Value("preserve-fds"), "--preserve-fds"),
        cl.Has("no-new-keyring"));

    private static int ParseCount(string? text, string flag) =>
        text == null ? 0
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new InvalidArgumentException($"{flag} \"{text}\": expected a non-negative number");
}
