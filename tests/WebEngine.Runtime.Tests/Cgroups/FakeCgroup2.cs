using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>
/// A temporary directory laid out like a cgroup2 mount: interface files are plain files holding
/// what the kernel would show. Writes replace their content, so a test reads back the last value
/// written. Only the logic that real-kernel tests also exercise (v1 here, rt's runtime tests) is
/// tested against it.
/// </summary>
internal sealed class FakeCgroup2 : IDisposable
{
    public const string Controllers = "cpuset cpu io memory hugetlb pids rdma";

    private readonly TempDirectory _root = new("webengine-cgroup2");

    public FakeCgroup2()
    {
        Write("", "cgroup.controllers", Controllers);
        Write("", "cgroup.subtree_control", "");
    }

    public string MountPoint => _root.Path;

    public string PathOf(string cgroup, string file = "") => Path.Combine(MountPoint + cgroup, file);

    public void Write(string cgroup, string file, string content) => File.WriteAllText(PathOf(cgroup, file), content);

    public string Read(string cgroup, string file) => File.ReadAllText(PathOf(cgroup, file));

    /// <summary>Gives a created cgroup the interface files the kernel would, with the given initial contents.</summary>
    public void Populate(string cgroup, string controllers = Controllers)
    {
        Write(cgroup, "cgroup.controllers", controllers);
        foreach (var file in (string[])["cgroup.subtree_control", "cgroup.procs", "cgroup.freeze", "memory.max", "memory.low",
                     "memory.swap.max", "memory.high", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems",
                     "pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "rdma.max"])
            Write(cgroup, file, "");
        Write(cgroup, "cgroup.events", "populated 0\nfrozen 0\n");
    }

    /// <summary>Deletes the interface files so that Remove's rmdir works as on cgroupfs.</summary>
    public void DeleteFiles(string cgroup)
    {
        foreach (var file in Directory.EnumerateFiles(PathOf(cgroup), "*", SearchOption.AllDirectories))
            File.Delete(file);
    }

    public void Dispose() => _root.Dispose();
}
