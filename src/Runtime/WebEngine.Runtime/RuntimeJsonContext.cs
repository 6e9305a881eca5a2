using System.Text.Json.Serialization;

namespace WebEngine.Runtime;

/// <summary>Source-generated JSON metadata for the runtime's own files and outputs (NativeAOT, no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(List<Lifecycle.ContainerListEntry>))]
[JsonSerializable(typeof(Init.InitRequest))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
