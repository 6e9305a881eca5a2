using System.Text.Json.Serialization;

namespace WebEngine.Engine.Images.Model;

/// <summary>Source-generated JSON for the image formats (no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(RegistryToken))]
[JsonSerializable(typeof(RegistryTagList))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;

/// <summary>The oci-layout marker file.</summary>
public sealed class OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; set; } = "1.0.0";
}

/// <summary>A token endpoint's answer (Docker token auth: token or access_token).</summary>
public sealed class RegistryToken
{
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
}

/// <summary>GET /v2/&lt;name&gt;/tags/list.</summary>
public sealed class RegistryTagList
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("tags")] public List<string>? Tags { get; set; }
}
