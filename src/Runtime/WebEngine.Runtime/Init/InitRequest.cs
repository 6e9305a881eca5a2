using System.Text.Json.Serialization;
using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>What `create` or `exec` hands the stage process it starts (sent as JSON over an inherited pipe).</summary>
public sealed class InitRequest
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("spec")] public RuntimeSpec Spec { get; set; } = new();

    /// <summary>The process to run; for an init it is <c>Spec.Process</c>.</summary>
    [JsonPropertyName("process")] public Process Process { get; set; } = new();

    [JsonPropertyName("execFifo")] public string? ExecFifo { get; set; }
    [JsonPropertyName("consoleSocket")] public string? ConsoleSocket { get; set; }
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }
    [JsonPropertyName("noPivot")] public bool NoPivot { get; set; }

    /// <summary>--no-new-keyring: keep the caller's session keyring instead of a new one named after the container.</summary>
    [JsonPropertyName("noNewKeyring")] public bool NoNewKeyring { get; set; }

    /// <summary>For exec: the container init's pid, whose mount namespace the stage joins itself.</summary>
    [JsonPropertyName("containerPid")] public int ContainerPid { get; set; }
    [JsonPropertyName("detach")] public bool Detach { get; set; }

    /// <summary>Whether the stage unshares the cgroup namespace itself, after `create` moved it into its cgroup.</summary>
    [JsonPropertyName("unshareCgroupNamespace")] public bool UnshareCgroupNamespace { get; set; }

    /// <summary>The state JSON for createContainer and startContainer hooks.</summary>
    [JsonPropertyName("hookState")] public string? HookState { get; set; }
}
