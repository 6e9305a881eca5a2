using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>Invalid bundles and illegal transitions: a clear one-line error, a non-zero exit, nothing left behind.</summary>
public sealed class BadInputTests : ContainerTestBase
{
    private CliResult CreateFails(string expectedMessage)
    {
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expectedMessage, result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
        return result;
    }

    [Fact]
    public void Malformed_json_is_rejected()
    {
        File.WriteAllText(Path.Combine(Bundle.Path, "config.json"), "{ \"ociVersion\": \"1.2.0\", ");
        CreateFails("parse ");
    }

    [Fact]
    public void Missing_root_is_rejected()
    {
        Spec.Root = null;
        Bundle.WriteSpec();
        CreateFails("root.path is required");
    }

    [Fact]
    public void Unknown_capability_is_rejected()
    {
        Spec.Process!.Capabilities!.Bounding!.Add("CAP_NOT_A_THING");
        Bundle.WriteSpec();
        CreateFails("unknown capability \"CAP_NOT_A_THING\"");
    }

    [Fact]
    public void Missing_rootfs_is_rejected()
    {
        Directory.Delete(Bundle.RootfsPath, recursive: true);
        CreateFails("ENOENT");
    }

    [Fact]
    public void A_failing_mount_fails_create_with_the_init_message_and_leaves_nothing()
    {
        Spec.Mounts!.Add(new Mount { Destination = "/mnt/bad", Type = "no-such-fs", Source = "none" });
        Bundle.WriteSpec();
        var result = CreateFails("mount none on ");
        Assert.Contains("/mnt/bad: ENODEV", result.Stderr);
    }

    [Fact]
    public void A_limit_the_kernel_refuses_fails_create_after_the_init_started_in_the_cgroup_and_leaves_nothing()
    {
        // The limits are written once the init runs in the new cgroup: the init is killed and the cgroup removed.
        Assert.True(Directory.Exists("/sys/fs/cgroup/cpuset"), "this test needs the cgroup v1 cpuset hierarchy at /sys/fs/cgroup/cpuset");
        Spec.Linux!.CgroupsPath = "/webengine-test-refused-limit-" + Id;
        Spec.Linux.Resources = new LinuxResources { Cpu = new LinuxCpu { Cpus = "4095" } };
        Bundle.WriteSpec();
        CreateFails("cpuset.cpus");
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
            Assert.False(Directory.Exists(hierarchy + Spec.Linux.CgroupsPath), $"{hierarchy}{Spec.Linux.CgroupsPath} is left");
    }

    [Fact]
    public void A_failing_prestart_hook_fails_create()
    {
        Spec.Hooks = new Oci.Hooks { Prestart = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", "echo hook-broke >&2; exit 3"] }] };
        Bundle.WriteSpec();
        CreateFails("prestart hook /bin/sh exited with status 3: hook-broke");
    }

    [Fact]
    public void Duplicate_id_is_rejected()
    {
        Command("sleep", "1000");
        Create();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"container {Id} already exists", result.Stderr);
        Assert.Equal(ContainerStatus.Created, State().Status);
    }

    [Fact]
    public void Start_of_a_running_container_is_refused()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        var result = Cli.Run("start", Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cannot start container {Id}: it is running", result.Stderr);
    }

    [Fact]
    public void Kill_of_a_stopped_container_is_refused()
    {
        Command("true");
        Create();
        Cli.Ok("start", Id);
        WaitForStatus(ContainerStatus.Stopped);
        var result = Cli.Run("kill", Id, "KILL");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cannot kill container {Id}: it is stopped", result.Stderr);
    }

    [Fact]
    public void Delete_of_a_running_container_needs_force()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        var result = Cli.Run("delete", Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cannot delete container {Id}: it is running", result.Stderr);
        Assert.Equal(ContainerStatus.Running, State().Status);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Unknown_container_is_reported()
    {
        var result = Cli.Run("start", "nosuch" + Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr);
    }

    [Fact]
    public void Errors_go_to_the_log_file_as_json()
    {
        var log = Path.Combine(Cli.Root, "log.json");
        var result = Cli.Run("--log", log, "--log-format", "json", "start", "nosuch" + Id);
        Assert.NotEqual(0, result.ExitCode);
        var line = File.ReadAllLines(log).Last();
        Assert.Contains("\"level\":\"error\"", line);
        Assert.Contains("does not exist", line);
    }

    [Fact]
    public void Systemd_cgroup_is_refused_clearly()
    {
        var result = Cli.Run("--systemd-cgroup", "state", Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--systemd-cgroup is not supported", result.Stderr);
    }
}
