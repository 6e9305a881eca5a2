using System.Text.Json;

namespace WebEngine.Api.Tests.Containers;

/// <summary>The real docker CLI against the real daemon: run -d, inspect, stop/start/restart, kill, wait, pause, rename, rm.</summary>
public sealed class ContainerLifecycleCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task RunDetachedInspectStopStartRestartRemove()
    {
        var name = BusyboxDaemonFixture.NewName("life");
        var id = await fixture.DockerOkAsync("run", "-d", "--name", name, "--label", "suite=lifecycle", "busybox", "sleep", "300");
        Assert.Matches("^[0-9a-f]{64}$", id);

        var inspect = JsonDocument.Parse(await fixture.DockerOkAsync("inspect", name)).RootElement[0];
        Assert.Equal(id, inspect.GetProperty("Id").GetString());
        Assert.Equal("/" + name, inspect.GetProperty("Name").GetString());
        Assert.Equal("running", inspect.GetProperty("State").GetProperty("Status").GetString());
        Assert.True(inspect.GetProperty("State").GetProperty("Pid").GetInt32() > 0);
        Assert.Equal("sleep", inspect.GetProperty("Path").GetString());
        Assert.Equal(["sleep", "300"], inspect.GetProperty("Config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("busybox", inspect.GetProperty("Config").GetProperty("Image").GetString());
        Assert.Equal("lifecycle", inspect.GetProperty("Config").GetProperty("Labels").GetProperty("suite").GetString());
        Assert.StartsWith("sha256:", inspect.GetProperty("Image").GetString());
        Assert.Equal("no", inspect.GetProperty("HostConfig").GetProperty("RestartPolicy").GetProperty("Name").GetString());
        Assert.Equal(id[..12], await fixture.DockerOkAsync("inspect", "--format", "{{.Config.Hostname}}", name));

        Assert.Equal(name, await fixture.DockerOkAsync("stop", "-t", "1", name));
        Assert.Equal("exited", await fixture.DockerOkAsync("inspect", "--format", "{{.State.Status}}", name));
        // A second stop is Docker's 304, which the CLI counts as success.
        Assert.Equal(name, await fixture.DockerOkAsync("stop", name));

        Assert.Equal(name, await fixture.DockerOkAsync("start", name));
        Assert.Equal("running", await fixture.DockerOkAsync("inspect", "--format", "{{.State.Status}}", name));
        Assert.Equal(name, await fixture.DockerOkAsync("start", name));
        var pidBefore = await fixture.DockerOkAsync("inspect", "--format", "{{.State.Pid}}", name);
        Assert.Equal(name, await fixture.DockerOkAsync("restart", "-t", "1", name));
        Assert.Equal("running", await fixture.DockerOkAsync("inspect", "--format", "{{.State.Status}}", name));
        Assert.NotEqual(pidBefore, await fixture.DockerOkAsync("inspect", "--format", "{{.State.Pid}}", name));

        var (code, _, stderr) = await fixture.Daemon.DockerAsync("rm", name);
        Assert.Equal(1, code);
        Assert.Contains("container is running", stderr);
        Assert.Equal(name, await fixture.DockerOkAsync("rm", "-f", name));
        (code, _, stderr) = await fixture.Daemon.DockerAsync("inspect", "--type", "container", name);
        Assert.Equal(1, code);
        Assert.Contains("No such container", stderr);
    }

    [Fact]
    public async Task WaitPrintsTheExitCode()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "sleep 1; exit 3");
        Assert.Equal("3", await fixture.DockerOkAsync("wait", id));
        Assert.Equal("3", await fixture.DockerOkAsync("inspect", "--format", "{{.State.ExitCode}}", id));
        await fixture.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task KillWithASignalTheProcessHandles()
    {
        var name = BusyboxDaemonFixture.NewName("kill");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "trap 'exit 42' HUP; echo trapped; while true; do sleep 0.1; done");
        // PID 1 ignores a signal it does not handle: a HUP sent before the shell has set its trap would be lost.
        await fixture.WaitForLogAsync(name, "trapped");
        Assert.Equal(name, await fixture.DockerOkAsync("kill", "-s", "HUP", name));
        Assert.Equal("42", await fixture.DockerOkAsync("wait", name));
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("kill", name);
        Assert.Equal(1, code);
        Assert.Contains("is not running", stderr);
        await fixture.DockerOkAsync("rm", name);
    }

    [Fact]
    public async Task PauseAndUnpause()
    {
        var name = BusyboxDaemonFixture.NewName("pause");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        await fixture.DockerOkAsync("pause", name);
        Assert.Equal("paused true", await fixture.DockerOkAsync("inspect", "--format", "{{.State.Status}} {{.State.Paused}}", name));
        Assert.Contains("(Paused)", await fixture.DockerOkAsync("ps", "--filter", $"name={name}", "--format", "{{.Status}}"));
        await fixture.DockerOkAsync("unpause", name);
        Assert.Equal("running false", await fixture.DockerOkAsync("inspect", "--format", "{{.State.Status}} {{.State.Paused}}", name));
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task RenameKeepsTheContainer()
    {
        var name = BusyboxDaemonFixture.NewName("old");
        var renamed = BusyboxDaemonFixture.NewName("new");
        var id = await fixture.DockerOkAsync("create", "--name", name, "busybox", "true");
        await fixture.DockerOkAsync("rename", name, renamed);
        Assert.Equal("/" + renamed, await fixture.DockerOkAsync("inspect", "--format", "{{.Name}}", id));
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("rename", renamed, "bad/name");
        Assert.Equal(1, code);
        Assert.Contains("Invalid container name", stderr);
        await fixture.DockerOkAsync("rm", renamed);
    }

    [Fact]
    public async Task AutoRemoveAndWaitForRemoval()
    {
        var id = await fixture.DockerOkAsync("create", "--rm", "busybox", "sh", "-c", "sleep 1; exit 4");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"containers/{id}/wait?condition=removed");
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await fixture.DockerOkAsync("start", id);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(4, answer.RootElement.GetProperty("StatusCode").GetInt32());
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("inspect", "--type", "container", id);
        Assert.Equal(1, code);
        Assert.Contains("No such container", stderr);
    }

    [Fact]
    public async Task RunWithAnotherRuntime()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "--runtime", "runc", "busybox", "sleep", "300");
        Assert.Equal("runc running", await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.Runtime}} {{.State.Status}}", id));
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("run", "-d", "--runtime", "nosuchruntime", "busybox", "true");
        Assert.Equal(125, code);
        Assert.Contains("unknown or invalid runtime name: nosuchruntime", stderr);
        await fixture.DockerOkAsync("rm", "-f", id);
    }

    [Fact]
    public async Task StatsStreamsASampleASecond()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "300");
        using var response = await fixture.Http.GetAsync($"containers/{id}/stats", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var first = JsonDocument.Parse((await reader.ReadLineAsync())!);
        using var second = JsonDocument.Parse((await reader.ReadLineAsync())!);
        var firstRead = first.RootElement.GetProperty("read").GetDateTime();
        Assert.Equal(firstRead, second.RootElement.GetProperty("preread").GetDateTime());
        Assert.True(second.RootElement.GetProperty("read").GetDateTime() - firstRead >= TimeSpan.FromMilliseconds(900));
        await fixture.DockerOkAsync("rm", "-f", id);
    }
}
