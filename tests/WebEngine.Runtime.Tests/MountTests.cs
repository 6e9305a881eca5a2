using WebEngine.Oci;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>mounts, devices, masked and readonly paths, a readonly root.</summary>
public sealed class MountTests : ContainerTestBase
{
    [Fact]
    public void Tmpfs_mount_gets_its_options()
    {
        Spec.Mounts!.Add(new Mount { Destination = "/mnt/scratch", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "nodev", "noexec", "size=1m", "mode=700"] });
        var line = Sh("grep ' /mnt/scratch ' /proc/mounts; stat -c %a /mnt/scratch");
        Assert.Matches(@"tmpfs /mnt/scratch tmpfs rw,nosuid,nodev,noexec,[^ ]*size=1024k,mode=700", line);
        Assert.EndsWith("700", line.Trim());
    }

    [Fact]
    public void Readonly_bind_mount_is_readable_but_not_writable()
    {
        using var host = new TempDirectory("webengine-bind");
        File.WriteAllText(host.Combine("data.txt"), "from the host");
        Spec.Mounts!.Add(new Mount { Destination = "/mnt/ro", Type = "bind", Source = host.Path, Options = ["rbind", "ro"] });
        var output = Sh("cat /mnt/ro/data.txt; touch /mnt/ro/new 2>&1 || echo refused");
        Assert.Contains("from the host", output);
        Assert.Contains("Read-only file system", output);
        Assert.False(File.Exists(host.Combine("new")));
    }

    [Fact]
    public void Writable_bind_mount_writes_through_to_the_host()
    {
        using var host = new TempDirectory("webengine-bind");
        Spec.Mounts!.Add(new Mount { Destination = "/mnt/rw", Type = "bind", Source = host.Path, Options = ["bind"] });
        Sh("echo written > /mnt/rw/out.txt");
        Assert.Equal("written\n", File.ReadAllText(host.Combine("out.txt")));
    }

    [Fact]
    public void A_symlinked_destination_cannot_escape_the_rootfs()
    {
        using var host = new TempDirectory("webengine-escape");
        var outside = host.Combine("outside");
        Directory.CreateDirectory(outside);
        // The image links /escape to an absolute host path; the mount must land inside the rootfs instead.
        File.CreateSymbolicLink(Path.Combine(Bundle.RootfsPath, "escape"), outside);
        Spec.Mounts!.Add(new Mount { Destination = "/escape/inner", Type = "tmpfs", Source = "tmpfs" });
        Sh("true");
        Assert.False(Directory.Exists(Path.Combine(outside, "inner")), "the runtime created a directory outside the rootfs");
        Assert.True(Directory.Exists(Path.Combine(Bundle.RootfsPath, outside.TrimStart('/'), "inner")));
    }

    [Fact]
    public void Masked_paths_are_unreadable()
    {
        Spec.Root!.Readonly = false;
        File.WriteAllText(Path.Combine(Bundle.RootfsPath, "etc", "secret"), "top secret");
        Directory.CreateDirectory(Path.Combine(Bundle.RootfsPath, "private"));
        File.WriteAllText(Path.Combine(Bundle.RootfsPath, "private", "key"), "k");
        Spec.Linux!.MaskedPaths = ["/etc/secret", "/private", "/does/not/exist"];
        var output = Sh("echo \"[$(cat /etc/secret)]\"; ls -A /private | wc -l; touch /private/x 2>&1 || echo refused");
        Assert.StartsWith("[]\n0\n", output);
        Assert.Contains("refused", output);
    }

    [Fact]
    public void Readonly_paths_are_not_writable()
    {
        Spec.Root!.Readonly = false;
        Directory.CreateDirectory(Path.Combine(Bundle.RootfsPath, "data"));
        Spec.Linux!.ReadonlyPaths = ["/data"];
        var output = Sh("touch /data/x 2>&1 || echo refused; touch /tmp/y && echo writable");
        Assert.Contains("Read-only file system", output);
        Assert.Contains("writable", output);
    }

    [Fact]
    public void Readonly_root_is_not_writable()
    {
        Spec.Root!.Readonly = true;
        Assert.Contains("Read-only file system", Sh("touch /newfile 2>&1 || true"));
    }

    [Fact]
    public void Default_devices_and_links_exist()
    {
        var output = Sh("stat -c '%n %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; for l in /dev/fd /dev/stdin /dev/ptmx; do readlink $l; done");
        Assert.Contains("/dev/null 1:3 666", output);
        Assert.Contains("/dev/zero 1:5 666", output);
        Assert.Contains("/dev/full 1:7 666", output);
        Assert.Contains("/dev/random 1:8 666", output);
        Assert.Contains("/dev/urandom 1:9 666", output);
        Assert.Contains("/dev/tty 5:0 666", output);
        Assert.Contains("/proc/self/fd\n/proc/self/fd/0\npts/ptmx", output);
    }

    [Fact]
    public void Configured_devices_are_created_with_mode_and_owner()
    {
        Spec.Linux!.Devices = [new LinuxDevice { Path = "/dev/mynull", Type = "c", Major = 1, Minor = 3, FileMode = 0x180, Uid = 7, Gid = 8 }];
        Assert.Equal("1:3 600 7:8", Sh("stat -c '%t:%T %a %u:%g' /dev/mynull").Trim());
    }

    [Fact]
    public void Proc_sys_and_cgroup_mounts_are_there()
    {
        var mounts = Sh("cat /proc/mounts");
        Assert.Contains("proc /proc proc", mounts);
        Assert.Contains("sysfs /sys sysfs ro", mounts);
        Assert.Contains(" /sys/fs/cgroup", mounts);
        Assert.Contains("devpts /dev/pts devpts", mounts);
    }

    [Fact]
    public void Without_a_cgroup_namespace_the_cgroup_mount_shows_only_the_containers_own_cgroup()
    {
        // A cgroupfs mount would show the host's whole tree; each hierarchy is the container's own cgroup directory,
        // bind-mounted, read-only as the mount asks (the root of the host's pids hierarchy has no pids.max).
        Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        Spec.Linux.Resources = new LinuxResources { Pids = new LinuxPids { Limit = 42 } };
        var dir = Directory.Exists("/sys/fs/cgroup/pids") ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
        var output = Sh($"cat {dir}/pids.max; grep -c . {dir}/cgroup.procs; grep -x 1 {dir}/cgroup.procs; find /sys/fs/cgroup/ -mindepth 2 -type d | grep -c .; grep ' /sys/fs/cgroup' /proc/self/mounts | grep -vc ' ro,'; true");
        var lines = output.Trim().Split('\n');
        Assert.Equal("42", lines[0]);
        Assert.Equal("2", lines[1]);
        Assert.Equal("1", lines[2]);
        Assert.Equal("0", lines[3]);
        Assert.Equal("0", lines[4]);
    }
}
