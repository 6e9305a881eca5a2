using System.Text.Json.Serialization;

namespace WebEngine.ShimProtocol;

/// <summary>Source-generated JSON metadata for the protocol's messages (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(ShimRequest))]
[JsonSerializable(typeof(ShimResponse))]
[JsonSerializable(typeof(ExitRecord))]
[JsonSerializable(typeof(ProcessStatus))]
[JsonSerializable(typeof(int[]))]
public sealed partial class ShimJsonContext : JsonSerializerContext;
