using Process = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>
/// Joining an existing user namespace by path: a holder process (unshare(1)) owns a user namespace whose maps the
/// test writes; the container joins it, and its other new namespaces are created inside it.
/// </summary>
public sealed class UserNamespaceJoinTests : ContainerTestBase, IDisposable
{
    private readonly Process _holder;

    public UserNamespaceJoinTests()
    {
        var startInfo = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var arg in new[] { "--user", "sleep", "1000" })
            startInfo.ArgumentList.Add(arg);
        _holder = Process.Start(startInfo)!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (NamespaceOf(_holder.Id) == NamespaceOf(Environment.ProcessId))
        {
            Assert.True(DateTime.UtcNow < deadline, "unshare --user did not make its user namespace");
            Thread.Sleep(5);
        }
        Spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user", Path = HolderNamespace });
    }

    private string HolderNamespace => $"/proc/{_holder.Id}/ns/user";

    [Fact]
    public void The_container_joins_the_namespace_and_runs_as_its_root()
    {
        MapHolder("0 300000 65536\n");
        var output = Sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; echo $$; readlink /proc/self/ns/user; hostname");
        var lines = output.Trim().Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal("0 300000 65536", lines[0]);
        Assert.Equal("0 300000 65536", lines[1]);
        Assert.Equal("0", lines[2]);
        Assert.Equal("1", lines[3]);
        Assert.Equal(NamespaceOf(_holder.Id), lines[4]);
        Assert.Equal(Spec.Hostname, lines[5]);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Its_new_namespaces_belong_to_the_joined_one_and_exec_joins_it_too()
    {
        MapHolder("0 300000 65536\n");
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        var pid = State().Pid;
        Assert.Equal(NamespaceOf(_holder.Id), NamespaceOf(pid));
        Assert.Contains("Uid:\t300000", File.ReadAllText($"/proc/{pid}/status"));
        // The container's network namespace is new and owned by the joined user namespace: root in it may
        // configure it with CAP_NET_ADMIN (bring up lo), which it could not in a namespace owned by the host's.
        var exec = Cli.Ok("exec", "--cap", "CAP_NET_ADMIN", Id, "sh", "-c", "id -u; readlink /proc/self/ns/user; ip link set lo up && echo up");
        Assert.Equal($"0\n{NamespaceOf(_holder.Id)}\nup\n", exec.Stdout);
        Cli.Ok("delete", "--force", Id);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Mappings_beside_a_path_are_rejected()
    {
        MapHolder("0 300000 65536\n");
        Spec.Linux!.UidMappings = [new IdMapping { ContainerId = 0, HostId = 300000, Size = 65536 }];
        Spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = 300000, Size = 65536 }];
        Bundle.WriteSpec();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"linux.uidMappings and linux.gidMappings must be empty when joining the user namespace {HolderNamespace}", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void A_namespace_without_root_is_refused_and_nothing_is_left()
    {
        MapHolder("1000 300000 1000\n");
        Bundle.WriteSpec();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"the user namespace {HolderNamespace} maps no uid or gid 0 (its uid_map: 1000 300000 1000; gid_map: 1000 300000 1000)", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/webengine-test-{Id}"), "the container's cgroup is left");
    }

    private void MapHolder(string map)
    {
        File.WriteAllText($"/proc/{_holder.Id}/uid_map", map);
        File.WriteAllText($"/proc/{_holder.Id}/gid_map", map);
    }

    private static string NamespaceOf(int pid) => new FileInfo($"/proc/{pid}/ns/user").LinkTarget!;

    // Re-implements IDisposable: the holder goes after the container, even when its delete fails.
    public new void Dispose()
    {
        try
        {
            base.Dispose();
        }
        finally
        {
            _holder.Kill();
            _holder.WaitForExit();
            _holder.Dispose();
        }
    }
}
