using System.Text.Json.Serialization;

namespace WebEngine.Engine.Security;

/// <summary>
/// A seccomp profile in Docker's format (what <c>--security-opt seccomp=profile.json</c> takes): like
/// OCI's LinuxSeccomp, plus an architecture map and rules that apply only for some capabilities,
/// architectures or kernels. <see cref="SeccompProfileCompiler"/> turns it into OCI's form.
/// </summary>
public sealed class SeccompProfile
{
    [JsonPropertyName("defaultAction")] public string DefaultAction { get; set; } = "";
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("archMap")] public List<SeccompArchMap>? ArchMap { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<SeccompRule>? Syscalls { get; set; }
}

/// <summary>The architectures a filter must also cover when the host runs <see cref="Architecture"/>.</summary>
public sealed class SeccompArchMap
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("subArchitectures")] public List<string>? SubArchitectures { get; set; }
}

/// <summary>One rule: an action for some syscalls, optionally only when arguments, capabilities, arch or kernel match.</summary>
public sealed class SeccompRule
{
    /// <summary>The single-name form that old profiles use; exclusive with <see cref="Names"/>.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<SeccompRuleArg>? Args { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("includes")] public SeccompFilter? Includes { get; set; }
    [JsonPropertyName("excludes")] public SeccompFilter? Excludes { get; set; }
}

/// <summary>A comparison of one syscall argument (index 0–5) with a value.</summary>
public sealed class SeccompRuleArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }
    [JsonPropertyName("op")] public string Op { get; set; } = "";
}

/// <summary>When a rule applies: Go architecture names (amd64, arm64…), capabilities, and a minimum kernel "major.minor".</summary>
public sealed class SeccompFilter
{
    [JsonPropertyName("arches")] public List<string>? Arches { get; set; }
    [JsonPropertyName("caps")] public List<string>? Caps { get; set; }
    [JsonPropertyName("minKernel")] public string? MinKernel { get; set; }
}
