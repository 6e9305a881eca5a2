using WebEngine.Runtime;
using WebEngine.Runtime.Cli;
using WebEngine.Runtime.Init;

// The same binary is the container's init and exec stages: StageEntry recognises them by a private variable.
if (StageEntry.TryRun(args) is { } stageExit)
    return stageExit;
if (WebEngine.Runtime.Hooks.HookTrampoline.TryRun(args) is { } hookExit)
    return hookExit;

ErrorLog log = new(null, false);
try
{
    var global = CommandLine.Parse(args, 0, ["root", "log", "log-format", "criu", "rootless"],
        ["debug", "systemd-cgroup", "version|v", "help|h"], stopAtPositional: true);
    log = new ErrorLog(global.Value("log"), global.Value("log-format") == "json");
    if (global.Has("version"))
    {
        Console.Out.Write(Commands.VersionText);
        return 0;
    }
    if (global.Has("help") || global.Positionals.Count == 0)
    {
        Console.Out.Write(Commands.HelpText);
        return global.Has("help") ? 0 : 2;
    }
    if (global.Has("systemd-cgroup"))
        throw new InvalidArgumentException("--systemd-cgroup is not supported: webengine-runtime manages cgroupfs directly");
    var format = global.Value("log-format");
    if (format is not (null or "text" or "json"))
        throw new InvalidArgumentException($"--log-format \"{format}\": expected text or json");
    var store = new ContainerStore(global.Value("root") ?? ContainerStore.DefaultRoot);
    var command = global.Positionals[0];
    var rest = args.Skip(args.Length - global.Positionals.Count + 1).ToArray();
    return new Commands(store, log).Run(command, rest);
}
catch (ContainerStageException e) when (e.ProgramNotFound)
{
    log.Error(e.Message);
    return 127;
}
catch (Exception e)
{
    log.Error(e.Message);
    return 1;
}
