using System.Text.Json.Serialization;

namespace WebEngine.ShimProtocol;

/// <summary>The state of the container's process or of one exec'd process, as the shim knows it.</summary>
public sealed class ProcessStatus
{
    /// <summary>The container id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    /// <summary>The exec id, or null for the container's own process.</summary>
    [JsonPropertyName("execId")] public string? ExecId { get; set; }

    /// <summary>One of <see cref="ProcessStatuses"/>.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = ProcessStatuses.Created;

    /// <summary>The host pid, 0 before it exists.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }

    /// <summary>The exit code once stopped: the code, or 128+signal; 127/126 when the program could not be run.</summary>
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }

    [JsonPropertyName("terminal")] public bool Terminal { get; set; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; set; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Why the process could not be created or started (the runtime's message).</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary>The values of <see cref="ProcessStatus.Status"/>.</summary>
public static class ProcessStatuses
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
    public const string Deleted = "deleted";
}
