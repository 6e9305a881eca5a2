using System.Text.Json.Serialization;

namespace WebEngine.ShimProtocol;

/// <summary>The answer to one <see cref="ShimRequest"/>; <see cref="Ok"/> false carries an error and its kind.</summary>
public sealed class ShimResponse
{
    [JsonPropertyName("ok")] public bool Ok { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>One of <see cref="ShimErrorKinds"/> when <see cref="Ok"/> is false.</summary>
    [JsonPropertyName("errorKind")] public string? ErrorKind { get; set; }

    /// <summary>hello: the protocol version the shim speaks, its pid and the container id.</summary>
    [JsonPropertyName("version")] public int? Version { get; set; }
    [JsonPropertyName("shimPid")] public int? ShimPid { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }

    /// <summary>state, wait, start, exec: the process the request was about.</summary>
    [JsonPropertyName("process")] public ProcessStatus? Process { get; set; }

    /// <summary>pids: every process of the container, as host pids.</summary>
    [JsonPropertyName("pids")] public int[]? Pids { get; set; }

    public static ShimResponse Success() => new() { Ok = true };

    public static ShimResponse Failure(string kind, string error) => new() { Ok = false, ErrorKind = kind, Error = error };
}

/// <summary>The error kinds a shim reports; the engine maps them to its domain errors.</summary>
public static class ShimErrorKinds
{
    public const string InvalidArgument = "invalidArgument";
    public const string NotFound = "notFound";
    public const string Conflict = "conflict";
    public const string RuntimeFailed = "runtimeFailed";
    public const string Unsupported = "unsupported";
}
