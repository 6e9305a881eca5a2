using System.Security.Cryptography;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>
/// One test's world: a busybox rootfs, a containers directory, a volume root, and a cgroup parent of
/// its own that is removed (from every hierarchy) on dispose.
/// </summary>
public sealed class BundleFixture : IDisposable
{
    private readonly TempDirectory _temp = new("webengine-bundle-test");

    public BundleFixture()
    {
        Directory.CreateDirectory(RootfsPath);
        BusyboxRootfs.Create(RootfsPath);
        CgroupParent = $"/webengine-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Volumes = new DirectoryVolumeResolver(_temp.Combine("volumes"));
        Options = new BundleBuilderOptions
        {
            ContainersDirectory = _temp.Combine("containers"),
            CgroupParent = CgroupParent,
            InitBinary = InitBinaries.FirstOrDefault(File.Exists),
        };
    }

    /// <summary>Static init binaries Debian ships: tini-static (package tini) and docker-init (docker.io, the same tini).</summary>
    public static readonly IReadOnlyList<string> InitBinaries = ["/usr/bin/tini-static", "/usr/bin/docker-init"];

    public string RootfsPath => _temp.Combine("rootfs");
    public string CgroupParent { get; }
    public DirectoryVolumeResolver Volumes { get; }
    public BundleBuilderOptions Options { get; set; }

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public static string NewContainerId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public BundleBuilder Builder() => new(Options, Volumes);

    public Task<Bundle> BuildAsync(string id, ContainerConfig config, HostConfig? host = null) =>
        Builder().BuildAsync(new BundleRequest(id, config, host ?? new HostConfig(), RootfsPath), CancellationToken.None);

    public static ContainerConfig Shell(string script) => new() { Image = "busybox", Cmd = ["sh", "-c", script] };

    public void Dispose()
    {
        RemoveCgroupParent();
        _temp.Dispose();
    }

    private void RemoveCgroupParent()
    {
        if (!Directory.Exists("/sys/fs/cgroup"))
            return;
        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup"))
        {
            var parent = hierarchy + CgroupParent;
            if (!Directory.Exists(parent))
                continue;
            // Children first: only empty cgroups can be removed, and rmdir is the only way to remove one.
            foreach (var child in Directory.EnumerateDirectories(parent, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                RemoveCgroup(child);
            RemoveCgroup(parent);
        }
    }

    private static void RemoveCgroup(string path)
    {
        try
        {
            Directory.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // cpu and cpuacct are often one hierarchy reached by two names: already removed.
        }
    }
}
