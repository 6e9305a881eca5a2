namespace WebEngine.Engine.Shims;

/// <summary>Everything a shim needs to create one container (each becomes a command-line option of webengine-shim create).</summary>
public sealed record ShimLaunchRequest
{
    public required string ContainerId { get; init; }
    public required string BundlePath { get; init; }

    /// <summary>The shim's socket, e.g. /run/webengine/shims/&lt;id&gt;.sock.</summary>
    public required string SocketPath { get; init; }

    /// <summary>Where the shim keeps its pid files, exit.json and shim.log.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>The json-file log, e.g. containers/&lt;id&gt;/&lt;id&gt;-json.log; null keeps no log (the "none" logging driver).</summary>
    public string? LogPath { get; init; }

    /// <summary>The OCI runtime binary (webengine-runtime, runc, crun).</summary>
    public required string RuntimePath { get; init; }

    /// <summary>The runtime's --root for its state; null leaves the runtime's default.</summary>
    public string? RuntimeRoot { get; init; }

    /// <summary>Keep the container's stdin open for attach (Docker's OpenStdin); otherwise it reads /dev/null.</summary>
    public bool OpenStdin { get; init; }

    /// <summary>Docker's max-size: rotate the log before it grows past this many bytes; 0 disables rotation.</summary>
    public long LogMaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>Docker's max-file: how many log files to keep, the current one included.</summary>
    public int LogMaxFiles { get; init; } = 3;
}
