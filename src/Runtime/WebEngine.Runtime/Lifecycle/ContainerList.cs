using System.Text.Json.Serialization;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>One row of `list`, in runc's JSON shape.</summary>
public sealed class ContainerListEntry
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
}

/// <summary>`list`: every container under the state root with its current status.</summary>
public static class ContainerList
{
    public static List<ContainerListEntry> Run(ContainerStore store)
    {
        var entries = new List<ContainerListEntry>();
        foreach (var id in store.ListIds())
        {
            ContainerRecord record;
            try
            {
                record = store.Load(id);
            }
            catch (ContainerNotFoundException)
            {
                continue;
            }
            var state = ContainerStatusProbe.StateOf(store, record);
            entries.Add(new ContainerListEntry
            {
                OciVersion = state.OciVersion,
                Id = id,
                Pid = state.Pid,
                Status = state.Status,
                Bundle = record.Bundle,
                Rootfs = record.Rootfs,
                Created = record.Created,
                Annotations = record.Annotations,
                Owner = record.Owner,
            });
        }
        return entries;
    }
}
