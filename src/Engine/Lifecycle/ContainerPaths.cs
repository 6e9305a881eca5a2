namespace WebEngine.Engine.Lifecycle;

/// <summary>Where a container's files are: bundle and log under the data root, shim socket and state under the state root.</summary>
public sealed class ContainerPaths(EngineOptions options)
{
    /// <summary>Socket names use half the id: unix socket paths must stay under 108 bytes.</summary>
    private const int SocketIdLength = 32;

    public string Directory(string id) => Path.Combine(options.ContainersDirectory, id);

    public string LogPath(string id) => Path.Combine(Directory(id), $"{id}-json.log");

    /// <summary>A shareable IPC container's /dev/shm: a tmpfs mounted here on the host, which the containers joining it bind.</summary>
    public string ShmPath(string id) => Path.Combine(Directory(id), "shm");

    public string SocketPath(string id) => Path.Combine(options.ShimsDirectory, id[..SocketIdLength] + ".sock");

    public string ShimStateDirectory(string id) => Path.Combine(options.ShimsDirectory, id);

    public string RuntimeRoot(string runtime) => Path.Combine(options.RuntimeStateDirectory, runtime);

    public string RuntimePath(string runtime) =>
        options.Runtimes.TryGetValue(runtime, out var path)
            ? path
            : throw new InvalidArgumentException($"unknown or invalid runtime name: {runtime}");
}
