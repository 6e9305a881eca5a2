using System.Text.Json.Serialization;

namespace WebEngine.Oci;

/// <summary>What a runtime supports, as `features` prints it (runtime-spec features-schema.json).</summary>
public sealed class RuntimeFeatures
{
    [JsonPropertyName("ociVersionMin")] public string OciVersionMin { get; set; } = "1.0.0";
    [JsonPropertyName("ociVersionMax")] public string OciVersionMax { get; set; } = "1.2.0";
    [JsonPropertyName("hooks")] public List<string>? Hooks { get; set; }
    [JsonPropertyName("mountOptions")] public List<string>? MountOptions { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("linux")] public LinuxFeatures? Linux { get; set; }
}

public sealed class LinuxFeatures
{
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("capabilities")] public List<string>? Capabilities { get; set; }
    [JsonPropertyName("cgroup")] public CgroupFeatures? Cgroup { get; set; }
    [JsonPropertyName("seccomp")] public SeccompFeatures? Seccomp { get; set; }
    [JsonPropertyName("apparmor")] public EnabledFeature? Apparmor { get; set; }
    [JsonPropertyName("selinux")] public EnabledFeature? Selinux { get; set; }
    [JsonPropertyName("intelRdt")] public EnabledFeature? IntelRdt { get; set; }
}

public sealed class CgroupFeatures
{
    [JsonPropertyName("v1")] public bool V1 { get; set; }
    [JsonPropertyName("v2")] public bool V2 { get; set; }
    [JsonPropertyName("systemd")] public bool Systemd { get; set; }
    [JsonPropertyName("systemdUser")] public bool SystemdUser { get; set; }
    [JsonPropertyName("rdma")] public bool Rdma { get; set; }
}

public sealed class SeccompFeatures
{
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
    [JsonPropertyName("actions")] public List<string>? Actions { get; set; }
    [JsonPropertyName("operators")] public List<string>? Operators { get; set; }
    [JsonPropertyName("archs")] public List<string>? Archs { get; set; }
    [JsonPropertyName("knownFlags")] public List<string>? KnownFlags { get; set; }
    [JsonPropertyName("supportedFlags")] public List<string>? SupportedFlags { get; set; }
}

public sealed class EnabledFeature
{
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
}

/// <summary>Source-generated JSON metadata for <see cref="RuntimeFeatures"/>.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(RuntimeFeatures))]
public sealed partial class OciFeaturesJsonContext : JsonSerializerContext;
