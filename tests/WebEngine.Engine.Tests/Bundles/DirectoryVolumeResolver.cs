using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>A volume resolver for tests: each volume is a directory under one root (anonymous ones per container).</summary>
public sealed class DirectoryVolumeResolver(string root) : IVolumeResolver
{
    public List<ContainerMount> Requests { get; } = [];

    public ValueTask<string> ResolveAsync(string containerId, ContainerMount mount, string rootfs, CancellationToken cancellationToken)
    {
        Requests.Add(mount);
        var name = mount.Source.Length > 0 ? mount.Source : $"{containerId[..12]}{mount.Target.Replace('/', '_')}";
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        return ValueTask.FromResult(path);
    }
}
