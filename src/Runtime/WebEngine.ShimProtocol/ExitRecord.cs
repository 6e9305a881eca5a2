using System.Text.Json.Serialization;

namespace WebEngine.ShimProtocol;

/// <summary>
/// What the shim writes to <c>exit.json</c> in its state directory when the container's process ends, so that a
/// daemon that was down at that moment (and finds the shim gone) still learns the exit code and time.
/// </summary>
public sealed class ExitRecord
{
    public const string FileName = "exit.json";

    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("exitCode")] public int ExitCode { get; set; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; set; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset FinishedAt { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}
