using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebEngine.Oci;

/// <summary>Source-generated JSON metadata for the OCI types, usable under NativeAOT.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(List<ContainerState>))]
public sealed partial class OciJsonContext : JsonSerializerContext;
