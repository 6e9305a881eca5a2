namespace WebEngine.Data.Volumes;

/// <summary>A named (or anonymous) volume of the local driver: a directory volumes/&lt;name&gt;/_data.</summary>
public sealed class VolumeRecord
{
    public required string Name { get; set; }
    public string Driver { get; set; } = "local";
    public required string Mountpoint { get; set; }
    public string LabelsJson { get; set; } = "{}";
    public string OptionsJson { get; set; } = "{}";

    /// <summary>Created for one container's mount without a name; removed with it by `rm -v` and by prune.</summary>
    public bool Anonymous { get; set; }

    public DateTime CreatedUtc { get; set; }
}
