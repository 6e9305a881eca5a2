using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>Bundles run by a real runtime: network files, tmpfs, /dev/shm, binds, volumes, read-only rootfs.</summary>
public sealed class RuncFilesystemTests : IDisposable
{
    private readonly BundleFixture _fixture = new();
    private readonly OciRuntimeRunner _runtime = new();

    public void Dispose()
    {
        _runtime.Dispose();
        _fixture.Dispose();
    }

    private async Task<(string Id, OciRuntimeRunner.Result Result)> RunAsync(string script, HostConfig? host = null, ContainerConfig? config = null)
    {
        var id = BundleFixture.NewContainerId();
        var bundle = await _fixture.BuildAsync(id, config ?? BundleFixture.Shell(script), host);
        return (id, await _runtime.RunAsync(bundle.Directory, id));
    }

    [Fact]
    public async Task Hostname_defaults_to_the_short_id_and_hosts_lists_localhost_and_extra_hosts()
    {
        var (id, result) = await RunAsync("hostname; cat /etc/hostname; cat /etc/hosts",
            new HostConfig { ExtraHosts = ["db:10.1.2.3", "cache=10.1.2.4"] });

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal(id[..12], lines[0]);
        Assert.Equal(id[..12], lines[1]);
        Assert.Contains("127.0.0.1\tlocalhost", lines);
        Assert.Contains("::1\tlocalhost ip6-localhost ip6-loopback", lines);
        Assert.Contains("10.1.2.3\tdb", lines);
        Assert.Contains("10.1.2.4\tcache", lines);
    }

    [Fact]
    public async Task Configured_hostname_and_domainname_are_set_in_the_uts_namespace()
    {
        var config = BundleFixture.Shell("hostname; cat /etc/hostname; cat /proc/sys/kernel/domainname; echo $HOSTNAME") with
        {
            Hostname = "web1",
            Domainname = "example.test",
        };

        var (_, result) = await RunAsync("", config: config);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["web1", "web1", "example.test", "web1"], result.Stdout.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Resolv_conf_takes_Dns_DnsSearch_and_DnsOptions()
    {
        var host = new HostConfig { Dns = ["192.0.2.53"], DnsSearch = ["corp.test"], DnsOptions = ["ndots:2"] };

        var (_, result) = await RunAsync("cat /etc/resolv.conf", host);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Equal(["nameserver 192.0.2.53"], lines.Where(l => l.StartsWith("nameserver", StringComparison.Ordinal)));
        Assert.Contains("search corp.test", lines);
        Assert.Contains("options ndots:2", lines);
    }

    [Fact]
    public async Task ShmSize_sizes_dev_shm_and_the_default_is_64_MiB()
    {
        var (_, custom) = await RunAsync("grep ' /dev/shm ' /proc/mounts", new HostConfig { ShmSize = 32 * 1024 * 1024 });
        var (_, standard) = await RunAsync("grep ' /dev/shm ' /proc/mounts");

        Assert.Contains("size=32768k", custom.Stdout);
        Assert.Contains("size=65536k", standard.Stdout);
    }

    [Fact]
    public async Task Tmpfs_map_and_tmpfs_mounts_get_their_options()
    {
        var host = new HostConfig
        {
            Tmpfs = new Dictionary<string, string> { ["/scratch"] = "size=8m,exec" },
            Mounts = [new MountSpec { Type = MountType.Tmpfs, Target = "/cache", TmpfsSizeBytes = 4 * 1024 * 1024, TmpfsMode = (UnixFileMode)0b111_000_000 }],
        };

        var (_, result) = await RunAsync("grep -E ' /(scratch|cache) ' /proc/mounts; stat -c '%a' /cache", host);

        Assert.True(result.ExitCode == 0, result.ToString());
        var scratch = result.Stdout.Split('\n').Single(l => l.Contains(" /scratch "));
        var cache = result.Stdout.Split('\n').Single(l => l.Contains(" /cache "));
        Assert.Contains("size=8192k", scratch);
        Assert.DoesNotContain("noexec", scratch);
        Assert.Contains("nosuid", scratch);
        Assert.Contains("size=4096k", cache);
        Assert.Contains("noexec", cache);
        Assert.Contains("700", result.Stdout.Split('\n'));
    }

    [Fact]
    public async Task Readonly_rootfs_refuses_writes_except_on_its_kernel_filesystems_and_volumes()
    {
        var host = new HostConfig { ReadonlyRootfs = true, Tmpfs = new Dictionary<string, string> { ["/run"] = "" } };

        var (_, result) = await RunAsync("touch /file || echo root-refused; touch /dev/shm/x && touch /run/x && echo tmpfs-ok", host);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("root-refused", result.Stdout);
        Assert.Contains("Read-only file system", result.Stderr);
        Assert.Contains("tmpfs-ok", result.Stdout);
    }

    [Fact]
    public async Task Binds_mount_host_directories_read_only_or_read_write()
    {
        var data = _fixture.Combine("data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "greeting"), "hello from the host");
        var missing = _fixture.Combine("created-by-bind");
        var host = new HostConfig { Binds = [$"{data}:/data:ro", $"{missing}:/out"] };

        var (_, result) = await RunAsync("cat /data/greeting; echo; touch /data/x || echo ro-refused; echo written > /out/file", host);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("hello from the host", result.Stdout);
        Assert.Contains("ro-refused", result.Stdout);
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(missing, "file")));
    }

    [Fact]
    public async Task Volumes_are_bind_mounted_from_the_resolver_including_image_volumes()
    {
        var config = BundleFixture.Shell("echo named > /named/f; echo anonymous > /var/lib/data/f") with
        {
            Volumes = new HashSet<string> { "/var/lib/data" },
        };
        var host = new HostConfig { Mounts = [new MountSpec { Type = MountType.Volume, Source = "appdata", Target = "/named" }] };

        var (id, result) = await RunAsync("", host, config);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("named\n", await File.ReadAllTextAsync(_fixture.Combine("volumes", "appdata", "f")));
        Assert.Equal("anonymous\n", await File.ReadAllTextAsync(_fixture.Combine("volumes", $"{id[..12]}_var_lib_data", "f")));
    }

    [Fact]
    public async Task Network_none_has_only_loopback()
    {
        var (_, result) = await RunAsync("ls /sys/class/net", new HostConfig { NetworkMode = "none" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("lo", result.Stdout.Trim());
    }

    [Fact]
    public async Task Network_host_shares_the_hosts_interfaces_and_hostname()
    {
        static HashSet<string?> HostDevices() => Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName).ToHashSet();
        var before = HostDevices();
        var (_, result) = await RunAsync("ls /sys/class/net; hostname", new HostConfig { NetworkMode = "host" });

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Tests running beside this one add and remove veths: the devices there all along must all be seen.
        foreach (var device in before.Intersect(HostDevices()))
            Assert.Contains(device, lines);
        Assert.Equal(Environment.MachineName, lines[^1]);
    }
}
