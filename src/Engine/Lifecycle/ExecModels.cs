namespace WebEngine.Engine.Lifecycle;

/// <summary>docker exec's create body: the command and how it runs.</summary>
public sealed record ExecConfig
{
    public required IReadOnlyList<string> Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public bool Tty { get; init; }
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    public bool Privileged { get; init; }

    /// <summary>The client's detach sequence as given (empty: the default); the API layer applies it.</summary>
    public string DetachKeys { get; init; } = "";

    /// <summary>The terminal's size at start (rows, columns), with <see cref="Tty"/>.</summary>
    public (ushort Height, ushort Width)? ConsoleSize { get; init; }
}

/// <summary>docker exec inspect (/exec/{id}/json).</summary>
public sealed record ExecDetails(
    string Id,
    string ContainerId,
    bool Running,
    int? ExitCode,
    int Pid,
    ExecConfig Config,
    bool OpenStdin,
    bool OpenStdout,
    bool OpenStderr);
