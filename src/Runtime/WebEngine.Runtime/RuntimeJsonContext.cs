using System.Text.Json;
using System.Text.Json.Serialization;

namespace WebEngine.Runtime;

/// <summary>
/// Source-generated JSON metadata for the runtime's own files and outputs (NativeAOT, no reflection), and for
/// reading config.json: System.Text.Json sets up each type once per options instance, partly through reflection
/// (about a third of `create`'s cpu time went there), so `create` reads the spec with the same context that then
/// writes it in the init request and the state file instead of setting up every OCI type twice.
/// Comments are skipped in what it reads, as they were in config.json.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Oci.RuntimeSpec))]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(List<Lifecycle.ContainerListEntry>))]
[JsonSerializable(typeof(Init.InitRequest))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
