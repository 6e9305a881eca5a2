using System.Text;

namespace WebEngine.Shim;

/// <summary>
/// The first stage: starts the shim proper in its own session (setsid), with stdin and stdout on /dev/null, stderr
/// on shim.log in its state directory, and no descriptor of the caller's but a readiness pipe. Prints the shim's pid
/// once it serves its socket and has run <c>runtime create</c>; then this stage exits, so the daemon never has to
/// reap the shim and the shim is re-parented away from it.
/// </summary>
internal static class ShimLauncher
{
    /// <summary>The descriptor on which the detached shim reports readiness to the launcher.</summary>
    public const int ReadyFd = 3;

    private const int ReadyTimeoutMs = 60_000;

    public static int Launch(ShimOptions options)
    {
        Directory.CreateDirectory(options.StateDirectory);
        var (readyRead, readyWrite) = FileDescriptor.Pipe();
        using (readyRead)
        {
            using (var devNull = FileDescriptor.OpenDevNull(Interop.O_RDWR))
            using (var shimLog = FileDescriptor.Open(Path.Combine(options.StateDirectory, "shim.log"), Interop.O_WRONLY | Interop.O_CREAT | Interop.O_APPEND, 0b110_000_000))
            using (readyWrite)
            {
                var self = Environment.ProcessPath ?? throw new UsageException("cannot find the shim's own executable");
                ProcessSpawner.Spawn(self, [self, "serve", .. options.ToArguments()], [devNull.Fd, devNull.Fd, shimLog.Fd], [readyWrite.Fd], newSession: true);
            }
            var report = Encoding.UTF8.GetString(FdIo.ReadToEnd(readyRead.Fd, ReadyTimeoutMs, "shim readiness pipe")).Trim();
            if (report.StartsWith("ok ", StringComparison.Ordinal))
            {
                FdIo.TryWriteAll(1, Encoding.UTF8.GetBytes(report[3..] + "\n"), socket: false);
                return 0;
            }
            var message = report.Length > 0 ? report : $"the shim exited before it was ready; see {Path.Combine(options.StateDirectory, "shim.log")}";
            FdIo.TryWriteAll(2, Encoding.UTF8.GetBytes($"webengine-shim: {message}\n"), socket: false);
            return 1;
        }
    }
}
