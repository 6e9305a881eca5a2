using WebEngine.Engine.Containers;
using WebEngine.Engine.Security;

namespace WebEngine.Engine.Tests.Bundles;

/// <summary>Bundles run by a real runtime: capabilities, seccomp, masked and read-only paths, privileged mode.</summary>
public sealed class RuncSecurityTests : IDisposable
{
    private readonly BundleFixture _fixture = new();
    private readonly OciRuntimeRunner _runtime = new();

    public void Dispose()
    {
        _runtime.Dispose();
        _fixture.Dispose();
    }

    private async Task<OciRuntimeRunner.Result> RunAsync(string script, HostConfig? host = null, ContainerConfig? config = null)
    {
        var id = BundleFixture.NewContainerId();
        var bundle = await _fixture.BuildAsync(id, config ?? BundleFixture.Shell(script), host);
        return await _runtime.RunAsync(bundle.Directory, id);
    }

    private static string StatusField(string stdout, string field) =>
        stdout.Split('\n').Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..].Trim();

    [Fact]
    public async Task Default_capabilities_are_Dockers_fourteen()
    {
        var result = await RunAsync("cat /proc/1/status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("00000000a80425fb", StatusField(result.Stdout, "CapEff"));
        Assert.Equal("00000000a80425fb", StatusField(result.Stdout, "CapBnd"));
        Assert.Equal(0xa80425fbUL, CapabilitySet.Mask(CapabilitySet.Default));
    }

    [Fact]
    public async Task CapAdd_and_CapDrop_change_the_effective_set()
    {
        var host = new HostConfig { CapAdd = ["sys_admin"], CapDrop = ["CAP_NET_RAW", "chown"] };

        var result = await RunAsync("cat /proc/1/status", host);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = (0xa80425fbUL | 1UL << 21) & ~(1UL << 13) & ~1UL;
        Assert.Equal(expected.ToString("x16"), StatusField(result.Stdout, "CapEff"));
    }

    [Fact]
    public async Task Default_seccomp_profile_denies_user_namespaces_that_unconfined_allows()
    {
        var confined = await RunAsync("grep Seccomp: /proc/1/status; unshare -U true && echo unshared; uname -s");
        var unconfined = await RunAsync("unshare -U true && echo unshared", new HostConfig { SecurityOpt = ["seccomp=unconfined"] });

        Assert.Contains("Seccomp:\t2", confined.Stdout);
        Assert.Contains("Operation not permitted", confined.Stderr);
        Assert.DoesNotContain("unshared", confined.Stdout);
        // uname is allowed: the filter is an allow-list, not a blanket denial.
        Assert.Contains("Linux", confined.Stdout);
        Assert.True(unconfined.ExitCode == 0, unconfined.ToString());
        Assert.Contains("unshared", unconfined.Stdout);
    }

    [Fact]
    public async Task Mount_fails_with_EPERM()
    {
        var result = await RunAsync("mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted");

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("mounted", result.Stdout);
        // busybox reports EPERM from mount(2) this way.
        Assert.Contains("permission denied", result.Stderr);
    }

    [Fact]
    public async Task Masked_paths_are_empty_and_readonly_paths_refuse_writes()
    {
        var result = await RunAsync(
            "echo interrupts=$(wc -c < /proc/interrupts); echo timers=$(wc -c < /proc/timer_list); echo firmware=$(ls /sys/firmware | wc -l); " +
            "echo x > /proc/sys/kernel/domainname || echo sysctl-write-refused");

        Assert.True(result.ExitCode == 0, result.ToString());
        // On the host both have content; masked, they read as /dev/null.
        Assert.NotEqual(0, (await File.ReadAllTextAsync("/proc/interrupts")).Length);
        Assert.Contains("interrupts=0", result.Stdout);
        Assert.Contains("timers=0", result.Stdout);
        Assert.Contains("firmware=0", result.Stdout);
        Assert.Contains("sysctl-write-refused", result.Stdout);
        Assert.Contains("Read-only file system", result.Stderr);
    }

    [Fact]
    public async Task Privileged_gets_every_capability_no_seccomp_and_no_masked_paths()
    {
        var result = await RunAsync(
            "cat /proc/1/status; echo firmware=$(ls /sys/firmware | wc -l); mount -o remount,rw /sys && echo sys-rw; " +
            "ls /dev/loop-control >/dev/null && echo host-devices",
            new HostConfig { Privileged = true });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(CapabilitySet.Mask(CapabilitySet.Available).ToString("x16"), StatusField(result.Stdout, "CapEff"));
        Assert.Equal("0", StatusField(result.Stdout, "Seccomp"));
        Assert.DoesNotContain("firmware=0", result.Stdout);
        Assert.Contains("sys-rw", result.Stdout);
        Assert.Contains("host-devices", result.Stdout);
    }

    [Fact]
    public async Task No_new_privileges_is_set_from_SecurityOpt()
    {
        var without = await RunAsync("grep NoNewPrivs: /proc/1/status");
        var with = await RunAsync("grep NoNewPrivs: /proc/1/status", new HostConfig { SecurityOpt = ["no-new-privileges"] });

        Assert.Contains("NoNewPrivs:\t0", without.Stdout);
        Assert.Contains("NoNewPrivs:\t1", with.Stdout);
    }

    [Fact]
    public async Task A_custom_seccomp_profile_in_Dockers_format_is_enforced()
    {
        // The default profile, minus mkdir and mkdirat: a denial only this profile causes.
        var profile = DefaultSeccompProfile.Create();
        foreach (var rule in profile.Syscalls!)
            rule.Names?.RemoveAll(n => n is "mkdir" or "mkdirat");
        var json = System.Text.Json.JsonSerializer.Serialize(profile, SeccompJsonContext.Default.SeccompProfile);

        var result = await RunAsync("mkdir /tmp/d && echo made; uname -s", new HostConfig { SecurityOpt = [$"seccomp={json}"] });

        Assert.DoesNotContain("made", result.Stdout);
        Assert.Contains("Operation not permitted", result.Stderr);
        Assert.Contains("Linux", result.Stdout);
    }
}
