using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebEngine.Engine.Images.Model;

/// <summary>The image configuration blob (OCI image config / Docker image JSON); unknown fields survive a rewrite.</summary>
public sealed class ImageConfig
{
    [JsonPropertyName("created")] public DateTime? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; set; }
    [JsonPropertyName("rootfs")] public ImageRootfs Rootfs { get; set; } = new();
    [JsonPropertyName("history")] public List<ImageHistoryEntry>? History { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The defaults a container of the image starts with.</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, JsonElement>? ExposedPorts { get; set; }
    [JsonPropertyName("Env")] public List<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("Volumes")] public Dictionary<string, JsonElement>? Volumes { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
    [JsonPropertyName("Healthcheck")] public HealthcheckConfig? Healthcheck { get; set; }
    [JsonPropertyName("OnBuild")] public List<string>? OnBuild { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Docker's image health check (durations in nanoseconds).</summary>
public sealed class HealthcheckConfig
{
    [JsonPropertyName("Test")] public List<string>? Test { get; set; }
    [JsonPropertyName("Interval")] public long? Interval { get; set; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; set; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; set; }
    [JsonPropertyName("Retries")] public int? Retries { get; set; }
}

public sealed class ImageRootfs
{
    [JsonPropertyName("type")] public string Type { get; set; } = "layers";
    [JsonPropertyName("diff_ids")] public List<string> DiffIds { get; set; } = [];
}

public sealed class ImageHistoryEntry
{
    [JsonPropertyName("created")] public DateTime? Created { get; set; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; set; }
}
