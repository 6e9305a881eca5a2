using WebEngine.Engine.Containers;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>Bundles run by a real runtime: user, groups, environment, ulimits, init, cgroup limits.</summary>
public sealed class RuncProcessTests : IDisposable
{
    private readonly BundleFixture _fixture = new();
    private readonly OciRuntimeRunner _runtime = new();

    public RuncProcessTests()
    {
        File.AppendAllText(Path.Combine(_fixture.RootfsPath, "etc", "passwd"), "app:x:1000:1000:app:/home/app:/bin/sh\n");
        File.AppendAllText(Path.Combine(_fixture.RootfsPath, "etc", "group"), "app:x:1000:\nextra:x:2000:app\nsupport:x:3000:\n");
    }

    public void Dispose()
    {
        _runtime.Dispose();
        _fixture.Dispose();
    }

    private async Task<(string Id, OciRuntimeRunner.Result Result)> RunAsync(ContainerConfig config, HostConfig? host = null)
    {
        var id = BundleFixture.NewContainerId();
        var bundle = await _fixture.BuildAsync(id, config, host);
        return (id, await _runtime.RunAsync(bundle.Directory, id));
    }

    [Fact]
    public async Task User_name_is_resolved_from_the_images_passwd_with_its_groups_and_GroupAdd()
    {
        var config = BundleFixture.Shell("id -u; id -g; id -G") with { User = "app" };

        var (_, result) = await RunAsync(config, new HostConfig { GroupAdd = ["support", "4000"] });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["1000", "1000", "1000 2000 3000 4000"], result.Stdout.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task User_and_group_given_as_numbers_need_no_passwd_entry()
    {
        var (_, result) = await RunAsync(BundleFixture.Shell("id -u; id -g") with { User = "4242:extra" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["4242", "2000"], result.Stdout.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Environment_has_Dockers_defaults_under_the_containers_own()
    {
        var config = BundleFixture.Shell("env") with { Env = ["GREETING=hi", "PATH=/bin"], Tty = false, Hostname = "envhost" };

        var (_, result) = await RunAsync(config);

        Assert.True(result.ExitCode == 0, result.ToString());
        var env = result.Stdout.Split('\n');
        Assert.Contains("GREETING=hi", env);
        Assert.Contains("PATH=/bin", env);
        Assert.Contains("HOSTNAME=envhost", env);
        Assert.DoesNotContain("TERM=xterm", env);
    }

    [Fact]
    public async Task Ulimits_become_rlimits()
    {
        var host = new HostConfig { Ulimits = [new Ulimit("nofile", 1234, 2345)] };

        var (_, result) = await RunAsync(BundleFixture.Shell("ulimit -n; ulimit -Hn"), host);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["1234", "2345"], result.Stdout.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task WorkingDir_is_created_and_used()
    {
        var (_, result) = await RunAsync(BundleFixture.Shell("pwd") with { WorkingDir = "/srv/app" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/srv/app", result.Stdout.Trim());
    }

    [Fact]
    public async Task Init_runs_the_init_binary_as_pid_1_in_front_of_the_command()
    {
        if (_fixture.Options.InitBinary is null)
            throw new PrerequisiteMissingException($"a static init binary ({string.Join(" or ", BundleFixture.InitBinaries)}): `apt-get install tini`");

        var (_, result) = await RunAsync(BundleFixture.Shell("tr '\\0' ' ' < /proc/1/cmdline; echo; echo pid=$$"), new HostConfig { Init = true });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("/sbin/docker-init -- sh -c", result.Stdout);
        Assert.DoesNotContain("pid=1\n", result.Stdout);
    }

    [Fact]
    public async Task Memory_and_pids_limits_are_visible_in_the_containers_cgroup()
    {
        var host = new HostConfig { Memory = 64 * 1024 * 1024, PidsLimit = 50, CpuShares = 512 };
        const string script =
            "if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; " +
            "else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.shares; fi";

        var (_, result) = await RunAsync(BundleFixture.Shell(script), host);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.TrimEnd().Split('\n');
        Assert.Equal("67108864", lines[0]);
        Assert.Equal("50", lines[1]);
        if (lines.Length > 2)
            Assert.Equal("512", lines[2]);
    }
}
