namespace WebEngine.Api.Tests.Containers;

/// <summary>
/// The real docker CLI against the real daemon: --pid, --ipc, --uts, --userns and --cgroupns modes, --log-driver none and
/// --volumes-from, what the container sees, what inspect reports (also after a daemon restart), and Docker's errors.
/// </summary>
public sealed class NamespaceModeCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    private static string HostNamespace(string kind, int pid = 0) => new FileInfo($"/proc/{(pid == 0 ? "self" : pid.ToString())}/ns/{kind}").LinkTarget!;

    private async Task<int> PidOfAsync(string container) => int.Parse(await fixture.DockerOkAsync("inspect", "--format", "{{.State.Pid}}", container));

    private async Task<string> IdOfAsync(string container) => await fixture.DockerOkAsync("inspect", "--format", "{{.Id}}", container);

    private async Task<string> FailingDockerAsync(params string[] args)
    {
        var (code, stdout, stderr) = await fixture.Daemon.DockerAsync(args);
        Assert.True(code != 0, $"docker {string.Join(' ', args)} succeeded: {stdout}");
        return stderr;
    }

    [Fact]
    public async Task PidHostSeesTheHostsProcessesAndPidContainerJoinsARunningContainer()
    {
        Assert.Equal(File.ReadAllText("/proc/1/comm").Trim(), await fixture.DockerOkAsync("run", "--rm", "--pid", "host", "busybox", "cat", "/proc/1/comm"));
        Assert.Equal(HostNamespace("pid"), await fixture.DockerOkAsync("run", "--rm", "--pid", "host", "busybox", "readlink", "/proc/self/ns/pid"));

        var target = BusyboxDaemonFixture.NewName("pidtarget");
        await fixture.DockerOkAsync("run", "-d", "--name", target, "busybox", "sleep", "300");
        var joiner = BusyboxDaemonFixture.NewName("pidjoin");
        await fixture.DockerOkAsync("create", "--name", joiner, "--pid", "container:" + target, "busybox", "sh", "-c", "readlink /proc/self/ns/pid; cat /proc/1/comm");
        Assert.Equal("container:" + await IdOfAsync(target), await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.PidMode}}", joiner));
        await fixture.DockerOkAsync("start", "-a", joiner);
        var output = await fixture.DockerOkAsync("logs", joiner);
        Assert.Equal(HostNamespace("pid", await PidOfAsync(target)), output.Split('\n')[0]);
        Assert.Equal("sleep", output.Split('\n')[1]);

        // A restarted target has a new init: the joiner's next start joins that one.
        await fixture.DockerOkAsync("restart", "-t", "0", target);
        await fixture.DockerOkAsync("start", "-a", joiner);
        Assert.Equal(HostNamespace("pid", await PidOfAsync(target)), (await fixture.DockerOkAsync("logs", joiner)).Split('\n')[^2]);

        await fixture.DockerOkAsync("stop", "-t", "0", target);
        var count = await fixture.ContainerCountAsync();
        Assert.Contains("cannot join PID of a non running container", await FailingDockerAsync("start", joiner));
        // As on Docker, a stopped target fails the start, not the create; `run --rm` removes what it created.
        Assert.Contains("cannot join PID of a non running container", await FailingDockerAsync("run", "--rm", "--pid", "container:" + target, "busybox", "true"));
        Assert.Contains("No such container: nosuchcontainer", await FailingDockerAsync("run", "--rm", "--pid", "container:nosuchcontainer", "busybox", "true"));
        Assert.Equal(count, await fixture.ContainerCountAsync());
        var late = BusyboxDaemonFixture.NewName("pidlate");
        await fixture.DockerOkAsync("create", "--name", late, "--pid", "container:" + target, "busybox", "cat", "/proc/1/comm");
        await fixture.DockerOkAsync("start", target);
        await fixture.DockerOkAsync("start", "-a", late);
        Assert.Equal("sleep", await fixture.DockerOkAsync("logs", late));
        await fixture.DockerOkAsync("rm", "-f", joiner, target, late);
    }

    [Fact]
    public async Task IpcModesHostNoneShareableAndContainer()
    {
        Assert.Equal(HostNamespace("ipc"), await fixture.DockerOkAsync("run", "--rm", "--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc"));
        Assert.Equal("0", await fixture.DockerOkAsync("run", "--rm", "--ipc", "none", "busybox", "sh", "-c", "grep -c ' /dev/shm ' /proc/mounts || true"));
        Assert.NotEqual(HostNamespace("ipc"), await fixture.DockerOkAsync("run", "--rm", "--ipc", "none", "busybox", "readlink", "/proc/self/ns/ipc"));

        var donor = BusyboxDaemonFixture.NewName("ipcdonor");
        await fixture.DockerOkAsync("run", "-d", "--name", donor, "--ipc", "shareable", "busybox", "sleep", "300");
        var donorId = await IdOfAsync(donor);
        var shm = Path.Combine(fixture.Daemon.DataRoot, "containers", donorId, "shm");
        Assert.Contains($" {shm} ", File.ReadAllText("/proc/self/mountinfo"));
        var joined = await fixture.DockerOkAsync("run", "--rm", "--ipc", "container:" + donor, "busybox", "sh", "-c", "echo shared > /dev/shm/note; readlink /proc/self/ns/ipc");
        Assert.Equal(HostNamespace("ipc", await PidOfAsync(donor)), joined);
        Assert.Equal("shared", await fixture.DockerOkAsync("exec", donor, "cat", "/dev/shm/note"));
        Assert.Equal("shareable", await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.IpcMode}}", donor));

        var privateOne = BusyboxDaemonFixture.NewName("ipcprivate");
        await fixture.DockerOkAsync("run", "-d", "--name", privateOne, "busybox", "sleep", "300");
        Assert.Equal("private", await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.IpcMode}}", privateOne));
        var count = await fixture.ContainerCountAsync();
        Assert.Contains("non-shareable IPC", await FailingDockerAsync("run", "--rm", "--ipc", "container:" + privateOne, "busybox", "true"));
        Assert.Equal(count, await fixture.ContainerCountAsync());

        // As Docker, the shareable /dev/shm goes with the run: a stop unmounts it, the next start mounts a new one.
        await fixture.DockerOkAsync("stop", "-t", "0", donor);
        Assert.DoesNotContain($" {shm} ", File.ReadAllText("/proc/self/mountinfo"));
        await fixture.DockerOkAsync("start", donor);
        Assert.Contains($" {shm} ", File.ReadAllText("/proc/self/mountinfo"));
        Assert.Equal("empty", await fixture.DockerOkAsync("exec", donor, "sh", "-c", "ls /dev/shm/note 2>/dev/null || echo empty"));

        await fixture.DockerOkAsync("rm", "-f", donor, privateOne);
        Assert.DoesNotContain($" {shm} ", File.ReadAllText("/proc/self/mountinfo"));
        Assert.False(Directory.Exists(Path.Combine(fixture.Daemon.DataRoot, "containers", donorId)));
    }

    [Fact]
    public async Task UtsAndUsernsHost()
    {
        var hostname = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
        Assert.Equal(hostname, await fixture.DockerOkAsync("run", "--rm", "--uts", "host", "busybox", "hostname"));
        Assert.Equal(HostNamespace("uts"), await fixture.DockerOkAsync("run", "--rm", "--uts", "host", "busybox", "readlink", "/proc/self/ns/uts"));
        Assert.Contains("conflicting options: hostname and the UTS mode", await FailingDockerAsync("run", "--rm", "--uts", "host", "-h", "web", "busybox", "true"), StringComparison.OrdinalIgnoreCase);

        var name = BusyboxDaemonFixture.NewName("userns");
        Assert.Equal("0", await fixture.DockerOkAsync("run", "--name", name, "--userns", "host", "busybox", "id", "-u"));
        Assert.Equal("host", await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.UsernsMode}}", name));
        await fixture.DockerOkAsync("rm", name);
    }

    [Fact]
    public async Task CgroupnsIsPerContainer()
    {
        var privateLines = (await fixture.DockerOkAsync("run", "--rm", "--cgroupns", "private", "busybox", "cat", "/proc/self/cgroup")).Split('\n');
        Assert.All(privateLines, line => Assert.EndsWith(":/", line));

        var name = BusyboxDaemonFixture.NewName("cgns");
        var id = await fixture.DockerOkAsync("run", "-d", "--name", name, "--cgroupns", "host", "busybox", "sh", "-c", "cat /proc/self/cgroup; sleep 300");
        await fixture.WaitForLogAsync(name, id);
        Assert.Contains($"{fixture.Daemon.CgroupParent}/{id}", await fixture.DockerOkAsync("logs", name));
        Assert.Equal("host", await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.CgroupnsMode}}", name));

        // Without the option the daemon's default applies, as in Docker: private on cgroup v2, host on v1.
        var defaulted = BusyboxDaemonFixture.NewName("cgdefault");
        await fixture.DockerOkAsync("create", "--name", defaulted, "busybox", "true");
        var expected = File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "private" : "host";
        Assert.Equal(expected, await fixture.DockerOkAsync("inspect", "--format", "{{.HostConfig.CgroupnsMode}}", defaulted));
        await fixture.DockerOkAsync("rm", "-f", name, defaulted);
    }

    [Fact]
    public async Task LogDriverNoneShowsTheOutputToAttachedClientsAndKeepsNoLog()
    {
        var name = BusyboxDaemonFixture.NewName("nolog");
        Assert.Equal("hello", await fixture.DockerOkAsync("run", "--name", name, "--log-driver", "none", "busybox", "echo", "hello"));
        Assert.Contains("configured logging driver does not support reading", await FailingDockerAsync("logs", name));
        var inspect = await fixture.InspectAsync(name);
        Assert.Equal("none", inspect.GetProperty("HostConfig").GetProperty("LogConfig").GetProperty("Type").GetString());
        Assert.Equal("", inspect.GetProperty("LogPath").GetString());
        var directory = Path.Combine(fixture.Daemon.DataRoot, "containers", inspect.GetProperty("Id").GetString()!);
        Assert.Empty(Directory.GetFiles(directory, "*.log*"));

        // json-file's max-size and max-file are the container's own: 100 lines of 100 bytes rotate through two 1 KiB files.
        var json = BusyboxDaemonFixture.NewName("jsonlog");
        await fixture.DockerOkAsync("run", "--name", json, "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "sh", "-c",
            "i=0; while [ $i -lt 100 ]; do printf '%099d\\n' $i; i=$((i+1)); done; echo kept");
        Assert.EndsWith("kept", await fixture.DockerOkAsync("logs", json));
        var jsonInspect = await fixture.InspectAsync(json);
        var logConfig = jsonInspect.GetProperty("HostConfig").GetProperty("LogConfig");
        Assert.Equal("json-file", logConfig.GetProperty("Type").GetString());
        Assert.Equal("1k", logConfig.GetProperty("Config").GetProperty("max-size").GetString());
        var logPath = jsonInspect.GetProperty("LogPath").GetString()!;
        Assert.True(File.Exists(logPath + ".1"), "the log should have rotated");
        Assert.False(File.Exists(logPath + ".2"), "max-file=2 keeps two files");
        Assert.All(new[] { logPath, logPath + ".1" }, path => Assert.True(new FileInfo(path).Length <= 1024, $"{path} is over max-size"));
        await fixture.DockerOkAsync("rm", name, json);
    }

    [Fact]
    public async Task VolumesFromMountsTheOtherContainersVolumesAndBinds()
    {
        var source = BusyboxDaemonFixture.NewName("volsource");
        var volume = BusyboxDaemonFixture.NewName("vol");
        await fixture.DockerOkAsync("run", "--name", source, "-v", volume + ":/data", "-v", "/cache", "busybox", "sh", "-c", "echo from-source > /data/f; echo cached > /cache/c");

        Assert.Equal("from-source\ncached", await fixture.DockerOkAsync("run", "--rm", "--volumes-from", source, "busybox", "sh", "-c", "cat /data/f /cache/c"));
        var reader = BusyboxDaemonFixture.NewName("volreader");
        var (code, _, _) = await fixture.Daemon.DockerAsync("run", "--name", reader, "--volumes-from", source + ":ro", "busybox", "sh", "-c", "echo x > /data/g");
        Assert.NotEqual(0, code);
        var inspect = await fixture.InspectAsync(reader);
        Assert.Equal([source + ":ro"], inspect.GetProperty("HostConfig").GetProperty("VolumesFrom").EnumerateArray().Select(e => e.GetString()));
        var data = inspect.GetProperty("Mounts").EnumerateArray().Single(m => m.GetProperty("Destination").GetString() == "/data");
        Assert.Equal((volume, false), (data.GetProperty("Name").GetString(), data.GetProperty("RW").GetBoolean()));

        // The reader's own mount at a destination wins over the inherited one.
        Assert.Equal("", await fixture.DockerOkAsync("run", "--rm", "--volumes-from", source, "--tmpfs", "/data", "busybox", "ls", "/data"));
        Assert.Contains("No such container: nosuchcontainer", await FailingDockerAsync("run", "--rm", "--volumes-from", "nosuchcontainer", "busybox", "true"));
        await fixture.DockerOkAsync("rm", "-v", reader, source);
        await fixture.DockerOkAsync("volume", "rm", volume);
    }

    [Fact]
    public async Task ModesSurviveADaemonRestartAndBadModesGetDockersErrors()
    {
        var donor = BusyboxDaemonFixture.NewName("keepdonor");
        await fixture.DockerOkAsync("run", "-d", "--name", donor, "--ipc", "shareable", "--cgroupns", "private", "--log-driver", "none", "busybox", "sleep", "300");
        var joiner = BusyboxDaemonFixture.NewName("keepjoiner");
        await fixture.DockerOkAsync("create", "--name", joiner, "--pid", "container:" + donor, "--ipc", "container:" + donor, "--uts", "host", "--volumes-from", donor, "busybox", "true");
        const string Format = "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupnsMode}} {{.HostConfig.LogConfig.Type}} {{.HostConfig.VolumesFrom}}";
        var donorBefore = await fixture.DockerOkAsync("inspect", "--format", Format, donor);
        var joinerBefore = await fixture.DockerOkAsync("inspect", "--format", Format, joiner);
        Assert.Equal("shareable  private none []", donorBefore);

        await fixture.Daemon.RestartAsync();

        Assert.Equal(donorBefore, await fixture.DockerOkAsync("inspect", "--format", Format, donor));
        Assert.Equal(joinerBefore, await fixture.DockerOkAsync("inspect", "--format", Format, joiner));
        await fixture.DockerOkAsync("start", "-a", joiner);

        var count = await fixture.ContainerCountAsync();
        foreach (var (body, message) in new[]
        {
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"PidMode\":\"shared\"}}", "invalid PID mode: shared"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"IpcMode\":\"bogus\"}}", "invalid IPC mode: bogus"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"UTSMode\":\"private\"}}", "invalid UTS mode: private"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"UsernsMode\":\"private\"}}", "invalid USER mode: private"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"IpcMode\":\"container:nosuchcontainer\"}}", "No such container: nosuchcontainer"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}", "logging driver \"syslog\" is not supported"),
            // The CLI checks these two itself; other clients send them.
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"CgroupnsMode\":\"shared\"}}", "invalid cgroup namespace mode: shared"),
            ("{\"Image\":\"busybox\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"none\",\"Config\":{\"max-size\":\"1m\"}}}}", "unknown log opt 'max-size' for none log driver"),
        })
            await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create", body), 400, message);
        Assert.Equal(count, await fixture.ContainerCountAsync());
        await fixture.DockerOkAsync("rm", "-f", joiner, donor);
    }
}
