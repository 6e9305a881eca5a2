using System.Text.Json;
using System.Text.Json.Serialization;
using WebEngine.Oci;

namespace WebEngine.Runtime;

/// <summary>What the runtime keeps about a container in its state directory (state.json) between invocations.</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }

    /// <summary>The init's start time from /proc/&lt;pid&gt;/stat, so a reused pid is not taken for the container.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }

    [JsonPropertyName("created")] public DateTime Created { get; set; }

    /// <summary>The cgroup path relative to each hierarchy's root, or null when the container has no cgroup.</summary>
    [JsonPropertyName("cgroupPath")] public string? CgroupPath { get; set; }

    [JsonPropertyName("owner")] public string Owner { get; set; } = "";

    private RuntimeSpec? _spec = new();
    private JsonElement? _specJson;

    /// <summary>
    /// The config.json the container was created from, as JSON: `start`, `state` and `delete` read a few fields
    /// of it (<see cref="OciVersion"/>, <see cref="Annotations"/>, <see cref="CgroupsPath"/>, <see cref="Hooks"/>)
    /// without turning the whole document into a <see cref="RuntimeSpec"/>, which costs System.Text.Json the
    /// set-up of every OCI type (most of those commands' cpu time).
    /// </summary>
    [JsonPropertyName("spec")]
    public JsonElement SpecJson
    {
        get => _specJson ??= JsonSerializer.SerializeToElement(_spec!, RuntimeJsonContext.Default.RuntimeSpec);
        set
        {
            _specJson = value;
            _spec = null;
        }
    }

    /// <summary>The config.json the container was created from (hooks, process defaults for exec, annotations).</summary>
    [JsonIgnore]
    public RuntimeSpec Spec
    {
        get => _spec ??= _specJson?.Deserialize(RuntimeJsonContext.Default.RuntimeSpec) ?? new RuntimeSpec();
        set
        {
            _spec = value;
            _specJson = null;
        }
    }

    [JsonIgnore]
    public string OciVersion => _spec?.OciVersion ?? (Field("ociVersion") is { ValueKind: JsonValueKind.String } v ? v.GetString()! : new RuntimeSpec().OciVersion);

    [JsonIgnore]
    public Dictionary<string, string>? Annotations
    {
        get
        {
            if (_spec != null)
                return _spec.Annotations;
            if (Field("annotations") is not { ValueKind: JsonValueKind.Object } annotations)
                return null;
            var result = new Dictionary<string, string>();
            foreach (var annotation in annotations.EnumerateObject())
                result[annotation.Name] = annotation.Value.GetString()!;
            return result;
        }
    }

    /// <summary>linux.cgroupsPath of the spec.</summary>
    [JsonIgnore]
    public string? CgroupsPath => _spec != null
        ? _spec.Linux?.CgroupsPath
        : Field("linux") is { ValueKind: JsonValueKind.Object } linux && linux.TryGetProperty("cgroupsPath", out var path) && path.ValueKind == JsonValueKind.String
            ? path.GetString()
            : null;

    /// <summary>The spec's hooks; the whole spec is read only when it has some.</summary>
    [JsonIgnore]
    public Oci.Hooks? Hooks => _spec != null || Field("hooks") is { ValueKind: not JsonValueKind.Null } ? Spec.Hooks : null;

    private JsonElement? Field(string name) =>
        _specJson is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var value) ? value : null;
}
