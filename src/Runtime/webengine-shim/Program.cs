using WebEngine.Shim;

// webengine-shim create …  starts the detached shim for one container and returns once it serves its socket.
// webengine-shim serve …   is that detached shim (started by create, never by hand).
// webengine-shim attach …  a small client: streams a process's output to stdout/stderr and stdin to it.
try
{
    return args.Length == 0 ? Fail(ShimOptions.Usage) : args[0] switch
    {
        "create" => ShimLauncher.Launch(ShimOptions.Parse(args[1..], requireContainer: true)),
        "serve" => ShimMain.Serve(ShimOptions.Parse(args[1..], requireContainer: true)),
        "attach" => AttachCommand.Run(ShimOptions.Parse(args[1..], requireContainer: false)),
        _ => Fail(ShimOptions.Usage),
    };
}
catch (UsageException e)
{
    return Fail($"webengine-shim: {e.Message}\n{ShimOptions.Usage}");
}
catch (Exception e) when (e is SystemCallException or WebEngine.ShimProtocol.ShimProtocolException or ShimRequestException)
{
    Fail($"webengine-shim: {e.Message}");
    return 125;
}

static int Fail(string message)
{
    FdIo.TryWriteAll(2, System.Text.Encoding.UTF8.GetBytes(message.EndsWith('\n') ? message : message + "\n"), socket: false);
    return 2;
}
