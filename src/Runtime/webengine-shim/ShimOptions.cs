namespace WebEngine.Shim;

/// <summary>The shim's command line: what the engine passes when it starts a shim for one container.</summary>
internal sealed class ShimOptions
{
    public const long DefaultLogMaxSize = 10 * 1024 * 1024;
    public const int DefaultLogMaxFiles = 3;

    public const string Usage =
        "usage: webengine-shim create --id ID --bundle DIR --socket PATH --state-dir DIR [--log-path FILE]\n" +
        "                             [--runtime PATH] [--runtime-root DIR] [--stdin]\n" +
        "                             [--log-max-size BYTES] [--log-max-files N]\n" +
        "       webengine-shim attach --socket PATH [--stdin] [--exec-id ID]\n";

    public string Id { get; private set; } = "";
    public string Bundle { get; private set; } = "";
    public string Socket { get; private set; } = "";
    public string StateDirectory { get; private set; } = "";
    /// <summary>The json-file log; null keeps no log (the engine's "none" logging driver): output only reaches attached clients.</summary>
    public string? LogPath { get; private set; }
    public string Runtime { get; private set; } = "webengine-runtime";
    public string? RuntimeRoot { get; private set; }
    public bool OpenStdin { get; private set; }
    public long LogMaxSize { get; private set; } = DefaultLogMaxSize;
    public int LogMaxFiles { get; private set; } = DefaultLogMaxFiles;
    public string? ExecId { get; private set; }

    /// <summary>The options as command-line arguments again, for the detached second stage.</summary>
    public List<string> ToArguments()
    {
        List<string> args = ["--id", Id, "--bundle", Bundle, "--socket", Socket, "--state-dir", StateDirectory,
            "--runtime", Runtime, "--log-max-size", LogMaxSize.ToString(), "--log-max-files", LogMaxFiles.ToString()];
        if (LogPath is not null)
            args.AddRange(["--log-path", LogPath]);
        if (RuntimeRoot is not null)
            args.AddRange(["--runtime-root", RuntimeRoot]);
        if (OpenStdin)
            args.Add("--stdin");
        return args;
    }

    public static ShimOptions Parse(IReadOnlyList<string> args, bool requireContainer)
    {
        var options = new ShimOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--id": options.Id = Value(); break;
                case "--bundle": options.Bundle = Path.GetFullPath(Value()); break;
                case "--socket": options.Socket = Path.GetFullPath(Value()); break;
                case "--state-dir": options.StateDirectory = Path.GetFullPath(Value()); break;
                case "--log-path": options.LogPath = Path.GetFullPath(Value()); break;
                case "--runtime": options.Runtime = Value(); break;
                case "--runtime-root": options.RuntimeRoot = Path.GetFullPath(Value()); break;
                case "--stdin": options.OpenStdin = true; break;
                case "--exec-id": options.ExecId = Value(); break;
                case "--log-max-size": options.LogMaxSize = long.TryParse(Value(), out var size) && size >= 0 ? size : throw new UsageException("--log-max-size needs a byte count"); break;
                case "--log-max-files": options.LogMaxFiles = int.TryParse(Value(), out var files) && files >= 1 ? files : throw new UsageException("--log-max-files needs a number >= 1"); break;
                default: throw new UsageException($"unknown argument {args[i]}");
            }
        }
        if (options.Socket.Length == 0)
            throw new UsageException("--socket is required");
        if (requireContainer)
        {
            foreach (var (name, value) in new[] { ("--id", options.Id), ("--bundle", options.Bundle), ("--state-dir", options.StateDirectory) })
            {
                if (value.Length == 0)
                    throw new UsageException($"{name} is required");
            }
            options.Runtime = ResolveProgram(options.Runtime);
        }
        return options;
    }

    /// <summary>posix_spawn takes a path: look a bare program name up on PATH, as a shell would.</summary>
    private static string ResolveProgram(string program)
    {
        if (program.Contains('/'))
            return Path.GetFullPath(program);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new UsageException($"runtime {program} is not on PATH");
    }
}

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);
