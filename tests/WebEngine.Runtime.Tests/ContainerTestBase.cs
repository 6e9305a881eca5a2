using System.Text.Json;
using WebEngine.Oci;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>A busybox bundle, a runtime with its own --root, and a unique container id; all removed after the test.</summary>
public abstract class ContainerTestBase : IDisposable
{
    protected ContainerTestBase()
    {
        Cli = new RuntimeCli();
        Bundle = new BusyboxBundle("sh");
        Id = "c" + Guid.NewGuid().ToString("N")[..10];
        // A top-level cgroup of the test's own, which delete removes: the default "/webengine/<id>" would leave
        // "/webengine" behind (the runtime, like runc, never removes parents it did not own).
        Spec.Linux!.CgroupsPath = "/webengine-test-" + Id;
    }

    protected RuntimeCli Cli { get; }

    protected BusyboxBundle Bundle { get; }

    protected string Id { get; }

    protected RuntimeSpec Spec => Bundle.Spec;

    /// <summary>Sets the container's command and writes config.json.</summary>
    protected void Command(params string[] args)
    {
        Spec.Process!.Args = [.. args];
        Bundle.WriteSpec();
    }

    /// <summary>`run` in the foreground; returns its result (exit status is the container's).</summary>
    protected CliResult RunContainer(params string[] args)
    {
        Command(args);
        return Cli.Run("run", "--bundle", Bundle.Path, Id);
    }

    /// <summary>Runs <paramref name="script"/> with sh -c and asserts it succeeded; returns its stdout.</summary>
    protected string Sh(string script)
    {
        var result = RunContainer("sh", "-c", script);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    protected void Create()
    {
        Bundle.WriteSpec();
        Cli.Ok("create", "--bundle", Bundle.Path, Id);
    }

    protected ContainerState State()
    {
        var result = Cli.Ok("state", Id);
        return JsonSerializer.Deserialize(result.Stdout, OciJsonContext.Default.ContainerState)!;
    }

    /// <summary>Waits until the container exists (a concurrent create may still be running) and has <paramref name="status"/>.</summary>
    protected void WaitForStatus(string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? current = null;
        while (current != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"container {Id} did not become {status} (it is {current ?? "not created"})");
            var result = Cli.Run("state", Id);
            current = result.ExitCode == 0 ? JsonSerializer.Deserialize(result.Stdout, OciJsonContext.Default.ContainerState)!.Status : null;
            if (current != status)
                Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        Cli.Run("delete", "--force", Id);
        Cli.Dispose();
        Bundle.Dispose();
        GC.SuppressFinalize(this);
    }
}
