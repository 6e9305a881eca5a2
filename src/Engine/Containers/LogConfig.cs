namespace WebEngine.Engine.Containers;

/// <summary>A container's logging driver (HostConfig.LogConfig) and its options, as given.</summary>
public sealed record LogConfig(string Type, IReadOnlyDictionary<string, string> Config)
{
    public const string JsonFileDriver = "json-file";
    public const string NoneDriver = "none";

    public static readonly LogConfig JsonFile = new(JsonFileDriver, new Dictionary<string, string>());

    /// <summary>Docker's options for its json-file driver; any other is refused, as Docker does.</summary>
    private static readonly HashSet<string> JsonFileOptions = ["max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"];

    /// <summary>The process's output is only seen by attached clients: nothing is written and `docker logs` cannot read.</summary>
    public bool KeepsNoLog => Type == NoneDriver;

    /// <summary>The driver as asked for; an empty type is the daemon's default, json-file.</summary>
    public static LogConfig Create(string? type, IReadOnlyDictionary<string, string>? options)
    {
        var driver = string.IsNullOrEmpty(type) ? JsonFileDriver : type;
        var config = options ?? new Dictionary<string, string>();
        if (driver is not (JsonFileDriver or NoneDriver))
            throw new InvalidArgumentException($"logging driver \"{driver}\" is not supported: only json-file and none");
        foreach (var name in config.Keys)
        {
            if (driver == NoneDriver || !JsonFileOptions.Contains(name))
                throw new InvalidArgumentException($"unknown log opt '{name}' for {driver} log driver");
        }
        var created = new LogConfig(driver, new Dictionary<string, string>(config));
        _ = created.Rotation(0, 1); // checks max-size and max-file
        return created;
    }

    /// <summary>
    /// The json-file log's max-size in bytes (-1 is Docker's "unlimited") and max-file, each the daemon's default when
    /// the container does not set it.
    /// </summary>
    public (long MaxSize, int MaxFiles) Rotation(long defaultMaxSize, int defaultMaxFiles)
    {
        var maxSize = defaultMaxSize;
        if (Config.TryGetValue("max-size", out var size))
            maxSize = size == "-1" ? 0 : ByteSize.Parse(size) ?? throw new InvalidArgumentException($"invalid max-size: {size}");
        var maxFiles = defaultMaxFiles;
        if (Config.TryGetValue("max-file", out var files))
        {
            if (!int.TryParse(files, out maxFiles))
                throw new InvalidArgumentException($"invalid max-file: {files}");
            if (maxFiles < 1)
                throw new InvalidArgumentException("max-file cannot be less than 1");
        }
        return (maxSize, maxFiles);
    }
}
