using System.Text.Json.Serialization;

namespace WebEngine.Engine.Security;

/// <summary>Source-generated JSON metadata for Docker-format seccomp profiles.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(SeccompProfile))]
public sealed partial class SeccompJsonContext : JsonSerializerContext;
