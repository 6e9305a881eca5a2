using WebEngine.Oci;

namespace WebEngine.Runtime.Lifecycle;

/// <summary>
/// The device cgroup rules a container gets: the spec's own, then (as runc adds them) access to the
/// devices every container has (null, zero, full, random, urandom, tty, console, ptmx, pts, tun), mknod
/// of any device, and the spec's linux.devices, so a "deny all" first rule does not break the rootfs.
/// </summary>
public static class DeviceCgroupRules
{
    private static readonly (string Type, long? Major, long? Minor, string Access)[] Defaults =
    [
        ("c", null, null, "m"), ("b", null, null, "m"),
        ("c", 1, 3, "rwm"), ("c", 1, 5, "rwm"), ("c", 1, 7, "rwm"), ("c", 1, 8, "rwm"), ("c", 1, 9, "rwm"),
        ("c", 5, 0, "rwm"), ("c", 5, 1, "rwm"), ("c", 5, 2, "rwm"), ("c", 136, null, "rwm"), ("c", 10, 200, "rwm"),
    ];

    /// <summary>A copy of <paramref name="resources"/> whose device rules end with the defaults and the spec's devices.</summary>
    public static LinuxResources WithDefaults(LinuxResources? resources, IEnumerable<LinuxDevice>? devices)
    {
        var result = resources ?? new LinuxResources();
        var rules = new List<LinuxDeviceCgroup>(result.Devices ?? []);
        rules.AddRange(Defaults.Select(d => new LinuxDeviceCgroup { Allow = true, Type = d.Type, Major = d.Major, Minor = d.Minor, Access = d.Access }));
        rules.AddRange((devices ?? []).Where(d => d.Type is "c" or "b" or "u").Select(d =>
            new LinuxDeviceCgroup { Allow = true, Type = d.Type == "b" ? "b" : "c", Major = d.Major, Minor = d.Minor, Access = "rwm" }));
        return new LinuxResources
        {
            Devices = rules,
            Memory = result.Memory,
            Cpu = result.Cpu,
            Pids = result.Pids,
            BlockIo = result.BlockIo,
            HugepageLimits = result.HugepageLimits,
            Network = result.Network,
            Rdma = result.Rdma,
            Unified = result.Unified,
        };
    }
}
