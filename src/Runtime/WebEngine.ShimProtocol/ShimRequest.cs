using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebEngine.ShimProtocol;

/// <summary>One request frame from a client to the shim; which fields matter depends on <see cref="Op"/> (see PROTOCOL.md).</summary>
public sealed class ShimRequest
{
    [JsonPropertyName("op")] public string Op { get; set; } = "";

    /// <summary>hello: the protocol version the client speaks.</summary>
    [JsonPropertyName("version")] public int? Version { get; set; }

    /// <summary>The exec'd process a request is about; null means the container's own process.</summary>
    [JsonPropertyName("execId")] public string? ExecId { get; set; }

    /// <summary>kill: the signal number.</summary>
    [JsonPropertyName("signal")] public int? Signal { get; set; }

    /// <summary>kill: signal every process of the container (runtime <c>kill --all</c>).</summary>
    [JsonPropertyName("all")] public bool All { get; set; }

    /// <summary>attach, exec: which streams the client wants.</summary>
    [JsonPropertyName("stdin")] public bool Stdin { get; set; }
    [JsonPropertyName("stdout")] public bool Stdout { get; set; }
    [JsonPropertyName("stderr")] public bool Stderr { get; set; }

    /// <summary>attach, exec: close the process's stdin when this client ends its input.</summary>
    [JsonPropertyName("stdinOnce")] public bool StdinOnce { get; set; }

    /// <summary>resize: the terminal size in characters.</summary>
    [JsonPropertyName("width")] public ushort Width { get; set; }
    [JsonPropertyName("height")] public ushort Height { get; set; }

    /// <summary>exec: the OCI process (config.json's <c>process</c> object) to run in the container.</summary>
    [JsonPropertyName("process")] public JsonElement? Process { get; set; }

    /// <summary>exec: turn this connection into the process's attach stream right after the response.</summary>
    [JsonPropertyName("attach")] public bool Attach { get; set; }

    /// <summary>delete: also delete a container that is still running (runtime <c>delete --force</c>).</summary>
    [JsonPropertyName("force")] public bool Force { get; set; }
}
