using System.Text;

namespace WebEngine.Shim;

/// <summary>Runs the OCI runtime (webengine-runtime, runc, crun) with runc's command line and its own <c>--root</c>.</summary>
internal sealed class RuntimeCli(string runtimePath, string? root)
{
    public string Path => runtimePath;

    /// <summary>Runs the runtime with the given stdio and waits for it; returns its exit code.</summary>
    public int Run(IEnumerable<string> args, int stdin, int stdout, int stderr) =>
        Reaper.Instance!.WaitFor(ProcessSpawner.Spawn(runtimePath, CommandLine(args), [stdin, stdout, stderr]));

    /// <summary>Runs a command whose output the shim needs; throws <see cref="RuntimeCommandException"/> when it fails.</summary>
    public string RunChecked(params string[] args)
    {
        using var devNull = FileDescriptor.OpenDevNull(Interop.O_RDONLY);
        var (outRead, outWrite) = FileDescriptor.Pipe();
        var (errRead, errWrite) = FileDescriptor.Pipe();
        using (outRead)
        using (errRead)
        {
            int pid;
            using (outWrite)
            using (errWrite)
                pid = ProcessSpawner.Spawn(runtimePath, CommandLine(args), [devNull.Fd, outWrite.Fd, errWrite.Fd]);
            var output = FdIo.ReadToEnd(outRead.Fd, -1, "runtime stdout");
            var error = FdIo.ReadToEnd(errRead.Fd, -1, "runtime stderr");
            var code = Reaper.Instance!.WaitFor(pid);
            if (code != 0)
                throw new RuntimeCommandException(Describe(args, code, Encoding.UTF8.GetString(error)));
            return Encoding.UTF8.GetString(output);
        }
    }

    /// <summary>"runc kill c1 9 failed (exit 1): container not running", for errors that a user can act on.</summary>
    public string Describe(IEnumerable<string> args, int code, string stderr) =>
        $"{System.IO.Path.GetFileName(runtimePath)} {string.Join(' ', args)} failed (exit {code}): {stderr.Trim()}";

    private List<string> CommandLine(IEnumerable<string> args)
    {
        List<string> commandLine = [runtimePath];
        if (root is not null)
            commandLine.AddRange(["--root", root]);
        commandLine.AddRange(args);
        return commandLine;
    }
}

/// <summary>A runtime command failed; the message has the command, its exit code and what it printed.</summary>
internal sealed class RuntimeCommandException(string message) : Exception(message);
