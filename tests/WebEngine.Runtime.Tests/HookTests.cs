using WebEngine.Oci;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>OCI hooks run at their lifecycle points with the state on stdin.</summary>
public sealed class HookTests : ContainerTestBase
{
    [Fact]
    public void Every_host_side_hook_runs_with_the_state_on_stdin()
    {
        using var output = new TempDirectory("webengine-hooks");
        Hook Writer(string name) => new()
        {
            Path = "/bin/sh",
            Args = ["sh", "-c", $"cat > {output.Path}/{name}.json; echo \"$HOOK_VAR\" > {output.Path}/{name}.env"],
            Env = ["HOOK_VAR=" + name],
            Timeout = 30,
        };
        Spec.Hooks = new Oci.Hooks
        {
            Prestart = [Writer("prestart")],
            CreateRuntime = [Writer("createRuntime")],
            CreateContainer = [Writer("createContainer")],
            Poststart = [Writer("poststart")],
            Poststop = [Writer("poststop")],
        };
        Command("sleep", "1000");
        Create();
        foreach (var name in new[] { "prestart", "createRuntime", "createContainer" })
        {
            Assert.Contains($"\"id\": \"{Id}\"", File.ReadAllText(Path.Combine(output.Path, name + ".json")));
            Assert.Equal(name, File.ReadAllText(Path.Combine(output.Path, name + ".env")).Trim());
        }
        Assert.False(File.Exists(Path.Combine(output.Path, "poststart.json")));
        Cli.Ok("start", Id);
        Assert.Contains("\"status\": \"running\"", File.ReadAllText(Path.Combine(output.Path, "poststart.json")));
        Cli.Ok("delete", "--force", Id);
        Assert.Contains("\"status\": \"stopped\"", File.ReadAllText(Path.Combine(output.Path, "poststop.json")));
    }

    [Fact]
    public void A_host_hook_gets_its_own_argv0()
    {
        // busybox picks its applet from argv[0], as dockerd's libnetwork-setkey hook picks its mode.
        using var output = new TempDirectory("webengine-hooks");
        Spec.Hooks = new Oci.Hooks
        {
            Prestart = [new Hook { Path = "/bin/busybox", Args = ["sh", "-c", $"echo \"$0 $HOOK_VAR\" > {output.Path}/argv0"], Env = ["HOOK_VAR=set"] }],
        };
        Command("sleep", "1000");
        Create();
        Assert.Equal("sh set", File.ReadAllText(Path.Combine(output.Path, "argv0")).Trim());
        Cli.Ok("delete", "--force", Id);
    }

    [Fact]
    public void Start_container_hook_runs_inside_the_container()
    {
        Spec.Mounts!.Add(new Mount { Destination = "/hooks", Type = "tmpfs", Source = "tmpfs" });
        Spec.Hooks = new Oci.Hooks { StartContainer = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", "hostname > /hooks/seen"] }] };
        Spec.Hostname = "inside-" + Id;
        Assert.Equal("inside-" + Id, Sh("cat /hooks/seen").Trim());
    }

    [Fact]
    public void A_hook_that_overruns_its_timeout_fails_create()
    {
        Spec.Hooks = new Oci.Hooks { CreateRuntime = [new Hook { Path = "/bin/sleep", Args = ["sleep", "30"], Timeout = 1 }] };
        Bundle.WriteSpec();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("createRuntime hook /bin/sleep: timed out after 1 s", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }
}
