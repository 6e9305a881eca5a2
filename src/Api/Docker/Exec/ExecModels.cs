using System.Text.Json.Serialization;

namespace WebEngine.Api.Docker.Exec;

/// <summary>The body of `POST /containers/{id}/exec` (the swagger's ExecConfig).</summary>
public sealed record ExecCreateRequest
{
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    /// <summary>[rows, columns] of the client's terminal.</summary>
    public int[]? ConsoleSize { get; init; }
    public string? DetachKeys { get; init; }
    public bool Tty { get; init; }
    public List<string>? Env { get; init; }
    public List<string>? Cmd { get; init; }
    public bool Privileged { get; init; }
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
}

public sealed record ExecCreateResponse(string Id);

/// <summary>The body of `POST /exec/{id}/start`.</summary>
public sealed record ExecStartRequest
{
    public bool Detach { get; init; }
    public bool Tty { get; init; }
    public int[]? ConsoleSize { get; init; }
}

/// <summary>`GET /exec/{id}/json` (the swagger's ExecInspectResponse); ExitCode is null until the process has ended.</summary>
public sealed record ExecInspectResponse(
    bool CanRemove,
    string DetachKeys,
    string ID,
    bool Running,
    int? ExitCode,
    ExecProcessConfig ProcessConfig,
    bool OpenStdin,
    bool OpenStderr,
    bool OpenStdout,
    string ContainerID,
    int Pid);

/// <summary>Moby spells these fields in lower case.</summary>
public sealed record ExecProcessConfig(
    [property: JsonPropertyName("privileged")] bool Privileged,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("tty")] bool Tty,
    [property: JsonPropertyName("entrypoint")] string Entrypoint,
    [property: JsonPropertyName("arguments")] IReadOnlyList<string> Arguments);
