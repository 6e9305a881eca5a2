namespace WebEngine.Api.Docker;

/// <summary>The daemon's stable ID for `docker info` (Docker keeps it in engine-id under its root): made once, kept in the data root.</summary>
public static class EngineIdentity
{
    private static readonly Lock Gate = new();

    public static string Get(string dataRoot)
    {
        var path = Path.Combine(dataRoot, "engine-id");
        lock (Gate)
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
                return existing;
            var id = Guid.NewGuid().ToString();
            Directory.CreateDirectory(dataRoot);
            File.WriteAllText(path + ".tmp", id);
            File.Move(path + ".tmp", path, overwrite: true);
            return id;
        }
    }
}
