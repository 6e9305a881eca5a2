using WebEngine.Oci;

namespace WebEngine.Runtime.Tests;

/// <summary>config.json's process and namespace settings, observed from inside the container.</summary>
public sealed class ProcessConfigTests : ContainerTestBase
{
    [Fact]
    public void The_process_is_pid_1_of_its_own_pid_namespace()
    {
        Assert.Equal("1", Sh("echo $$").Trim());
    }

    [Fact]
    public void Hostname_and_domainname_are_set()
    {
        Spec.Hostname = "box-" + Id;
        Spec.Domainname = "example.test";
        Assert.Equal($"box-{Id}\nexample.test", Sh("hostname; cat /proc/sys/kernel/domainname").Trim());
    }

    [Fact]
    public void Capability_sets_are_exactly_the_configured_ones()
    {
        Spec.Process!.Capabilities = new Capabilities
        {
            Bounding = ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
            Effective = ["CAP_KILL", "CAP_CHOWN"],
            Permitted = ["CAP_KILL", "CAP_CHOWN"],
            Inheritable = ["CAP_KILL"],
            Ambient = ["CAP_KILL"],
        };
        var status = Sh("grep ^Cap /proc/1/status");
        // CAP_CHOWN is bit 0, CAP_KILL bit 5, CAP_NET_RAW bit 13.
        Assert.Contains("CapBnd:\t0000000000002021", status);
        Assert.Contains("CapEff:\t0000000000000021", status);
        Assert.Contains("CapPrm:\t0000000000000021", status);
        Assert.Contains("CapInh:\t0000000000000020", status);
        Assert.Contains("CapAmb:\t0000000000000020", status);
    }

    [Fact]
    public void No_new_privileges_is_set_when_asked()
    {
        Spec.Process!.NoNewPrivileges = true;
        Assert.Contains("NoNewPrivs:\t1", Sh("grep NoNewPrivs /proc/self/status"));
        Spec.Process!.NoNewPrivileges = false;
        Assert.Contains("NoNewPrivs:\t0", Sh("grep NoNewPrivs /proc/self/status"));
    }

    [Fact]
    public void Rlimits_are_applied()
    {
        Spec.Process!.Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = 321, Hard = 654 }, new Rlimit { Type = "RLIMIT_NPROC", Soft = 77, Hard = 77 }];
        Assert.Equal("321\n654\n77", Sh("ulimit -n; ulimit -Hn; ulimit -u").Trim());
    }

    [Fact]
    public void User_group_and_additional_groups_are_applied()
    {
        Spec.Process!.User = new User { Uid = 1234, Gid = 4321, AdditionalGids = [10, 20] };
        var output = Sh("id -u; id -g; id -G");
        var lines = output.Trim().Split('\n');
        Assert.Equal("1234", lines[0]);
        Assert.Equal("4321", lines[1]);
        Assert.Equal(["10", "20", "4321"], lines[2].Split(' ').Order().ToArray());
    }

    [Fact]
    public void Umask_is_applied()
    {
        Spec.Process!.User.Umask = 0b000_111_111;
        Assert.Equal("0077", Sh("umask").Trim());
    }

    [Fact]
    public void Default_umask_is_0022()
    {
        Assert.Equal("0022", Sh("umask").Trim());
    }

    [Fact]
    public void Cwd_and_env_are_applied()
    {
        Spec.Process!.Cwd = "/var/work";
        Spec.Process.Env = [.. Spec.Process.Env!, "GREETING=hello world"];
        Assert.Equal("/var/work\nhello world", Sh("pwd; echo $GREETING").Trim());
    }

    [Fact]
    public void Sysctl_is_written_in_the_container()
    {
        Spec.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1" };
        Assert.Equal("1", Sh("cat /proc/sys/net/ipv4/ip_forward").Trim());
    }

    [Fact]
    public void Oom_score_adj_is_applied()
    {
        Spec.Process!.OomScoreAdj = 123;
        Assert.Equal("123", Sh("cat /proc/self/oom_score_adj").Trim());
    }

    [Fact]
    public void Annotations_appear_in_state()
    {
        Spec.Annotations = new() { ["org.example.key"] = "value" };
        Command("sleep", "1000");
        Create();
        Assert.Equal("value", State().Annotations!["org.example.key"]);
    }

    [Fact]
    public void Namespaces_not_listed_are_shared_with_the_host()
    {
        Spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "network");
        var hostNet = new FileInfo("/proc/self/ns/net").LinkTarget;
        Assert.Equal(hostNet, Sh("readlink /proc/self/ns/net").Trim());
    }
}
