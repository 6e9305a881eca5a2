using System.Text;

namespace WebEngine.Shim;

/// <summary>The detached shim: becomes the subreaper, serves its socket, creates the container, and reports readiness.</summary>
internal static class ShimMain
{
    public static int Serve(ShimOptions options)
    {
        using var ready = new FileDescriptor(ShimLauncher.ReadyFd);
        try
        {
            Reaper.Start();
            File.WriteAllText(Path.Combine(options.StateDirectory, "shim.pid"), $"{Environment.ProcessId}\n");
            File.Delete(options.Socket);
            Directory.CreateDirectory(Path.GetDirectoryName(options.Socket)!);
            var listener = UnixSocket.Listen(options.Socket, backlog: 64);
            var shim = new ContainerShim(options);
            shim.Create();
            FdIo.TryWriteAll(ready.Fd, Encoding.UTF8.GetBytes($"ok {Environment.ProcessId}\n"), socket: false);
            ready.Dispose();
            new ShimServer(shim, listener, options.Socket).Run();
            return 0;
        }
        catch (Exception e) when (e is SystemCallException or IOException or UsageException or UnauthorizedAccessException)
        {
            ShimLog.Error(e.Message);
            if (!ready.IsClosed)
                FdIo.TryWriteAll(ready.Fd, Encoding.UTF8.GetBytes($"error {e.Message}\n"), socket: false);
            return 1;
        }
    }
}
