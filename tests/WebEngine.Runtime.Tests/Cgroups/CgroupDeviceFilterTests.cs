using WebEngine.Oci;
using WebEngine.Runtime.Cgroups;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests.Cgroups;

/// <summary>
/// The cgroup2 device filter (eBPF) on the real kernel. The eBPF device hook belongs to the
/// cgroup2 hierarchy and works even where cgroup2 holds no controllers, as on this hybrid host,
/// so a cgroup in the cgroup2 mount can test it end to end.
/// </summary>
public sealed class CgroupDeviceFilterTests : IDisposable
{
    private readonly string _directory;
    private readonly List<TestProcess> _processes = [];

    public CgroupDeviceFilterTests()
    {
        Prerequisites.RequireRoot();
        var unified = CgroupLayout.Detect().Unified
            ?? throw new PrerequisiteMissingException("this test needs a cgroup2 mount (mount -t cgroup2 none /sys/fs/cgroup/unified)");
        _directory = Path.Combine(unified.MountPoint, "webengine-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        CgroupDirectory.RemoveTree(_directory);
    }

    /// <summary>Runs the probes in a shell that has joined the filtered cgroup; one line per device.</summary>
    private List<string> Probe(params string[] devices) => ProbeIn(_directory, devices);

    private List<string> ProbeIn(string cgroup, params string[] devices)
    {
        var script = string.Concat(devices.Select(d => $"head -c 1 {d} >/dev/null 2>&1 && echo {d}=ok || echo {d}=denied; "));
        var process = new TestProcess(script);
        _processes.Add(process);
        File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), process.Pid.ToString());
        process.Go();
        return devices.Select(_ => process.ReadLine() ?? "").ToList();
    }

    [Fact]
    public void Deny_all_then_allow_lets_only_the_allowed_devices_through()
    {
        CgroupDeviceFilter.Attach(_directory,
        [
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 9, Access = "r" },
        ]);

        Assert.Equal(["/dev/zero=denied", "/dev/null=ok", "/dev/urandom=ok"], Probe("/dev/zero", "/dev/null", "/dev/urandom"));
    }

    [Fact]
    public void The_last_matching_rule_wins_and_unmatched_devices_stay_allowed()
    {
        CgroupDeviceFilter.Attach(_directory,
        [
            new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Access = "r" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "r" },
        ]);

        Assert.Equal(["/dev/zero=ok", "/dev/urandom=denied", "/dev/null=denied"], Probe("/dev/zero", "/dev/urandom", "/dev/null"));
    }

    [Fact]
    public void Attaching_again_replaces_the_earlier_filter()
    {
        CgroupDeviceFilter.Attach(_directory, [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }]);
        CgroupDeviceFilter.Attach(_directory, [new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 5, Access = "rwm" }]);

        Assert.Equal(["/dev/zero=denied", "/dev/null=ok"], Probe("/dev/zero", "/dev/null"));
    }

    [Fact]
    public void A_nested_cgroup_can_attach_its_own_filter_and_both_apply()
    {
        var nested = Path.Combine(_directory, "nested");
        Directory.CreateDirectory(nested);
        CgroupDeviceFilter.Attach(_directory, [new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 5, Access = "rwm" }]);
        CgroupDeviceFilter.Attach(nested, [new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 9, Access = "rwm" }]);

        Assert.Equal(["/dev/zero=denied", "/dev/urandom=denied", "/dev/null=ok"], ProbeIn(nested, "/dev/zero", "/dev/urandom", "/dev/null"));
    }
}
