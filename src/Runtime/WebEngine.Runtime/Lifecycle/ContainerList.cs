namespace WebEngine.Runtime.Lifecycle;

/// <summary>One row of `list`, in runc's JSON shape.</summary>
public sealed class ContainerListEntry
{
    public string OciVersion { get; set; } = "";
    public string Id { get; set; } = "";
    public int Pid { get; set; }
    public string Status { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public DateTime Created { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public string Owner { get; set; } = "";
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

    /// <summary>`list --format json`: runc's shape, one line.</summary>
    public static byte[] ToJson(List<ContainerListEntry> entries) => Json.JsonOutput.ToUtf8(w =>
    {
        w.WriteStartArray();
        foreach (var entry in entries)
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", entry.OciVersion);
            w.WriteString("id", entry.Id);
            w.WriteNumber("pid", entry.Pid);
            w.WriteString("status", entry.Status);
            w.WriteString("bundle", entry.Bundle);
            w.WriteString("rootfs", entry.Rootfs);
            w.WriteString("created", entry.Created);
            Json.JsonOutput.StringMapIfSet(w, "annotations", entry.Annotations);
            w.WriteString("owner", entry.Owner);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });
}
