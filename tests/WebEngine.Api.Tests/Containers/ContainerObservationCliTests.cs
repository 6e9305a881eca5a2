using System.Net;
using System.Text.Json;

namespace WebEngine.Api.Tests.Containers;

/// <summary>The real docker CLI: ps with filters, logs (-f, --tail, -t), top, stats --no-stream, update --memory.</summary>
public sealed class ContainerObservationCliTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task PsListsAndFilters()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var running = BusyboxDaemonFixture.NewName("ps-run");
        var exited = BusyboxDaemonFixture.NewName("ps-exit");
        var runningId = await fixture.DockerOkAsync("run", "-d", "--name", running, "--label", $"suite={tag}", "--label", "role=web", "busybox", "sleep", "300");
        var exitedId = await fixture.DockerOkAsync("run", "-d", "--name", exited, "--label", $"suite={tag}", "busybox", "sh", "-c", "exit 5");
        Assert.Equal("5", await fixture.DockerOkAsync("wait", exited));

        var all = (await fixture.DockerOkAsync("ps", "-a", "--no-trunc", "-q", "--filter", $"label=suite={tag}")).Split('\n');
        Assert.Equal([exitedId, runningId], all);
        Assert.Equal(runningId, await fixture.DockerOkAsync("ps", "-q", "--no-trunc", "--filter", $"label=suite={tag}"));
        Assert.Equal(exitedId, await fixture.DockerOkAsync("ps", "-q", "--no-trunc", "--filter", "status=exited", "--filter", $"label=suite={tag}"));
        Assert.Equal(exitedId, await fixture.DockerOkAsync("ps", "-aq", "--no-trunc", "--filter", "exited=5", "--filter", $"label=suite={tag}"));
        Assert.Equal(runningId, await fixture.DockerOkAsync("ps", "-aq", "--no-trunc", "--filter", $"name={running}"));
        Assert.Equal(runningId, await fixture.DockerOkAsync("ps", "-aq", "--no-trunc", "--filter", "label=role=web", "--filter", $"label=suite={tag}"));
        Assert.Equal(exitedId, await fixture.DockerOkAsync("ps", "-aq", "--no-trunc", "--filter", $"since={running}", "--filter", $"label=suite={tag}"));
        Assert.Equal(runningId, await fixture.DockerOkAsync("ps", "-aq", "--no-trunc", "--filter", $"before={exitedId}", "--filter", $"label=suite={tag}"));
        Assert.Equal(2, (await fixture.DockerOkAsync("ps", "-aq", "--filter", "ancestor=busybox", "--filter", $"label=suite={tag}")).Split('\n').Length);
        Assert.Equal(2, (await fixture.DockerOkAsync("ps", "-aq", "--filter", "health=none", "--filter", $"label=suite={tag}")).Split('\n').Length);
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq", "--filter", "ancestor=nosuchimage", "--filter", $"label=suite={tag}"));

        var table = await fixture.DockerOkAsync("ps", "-a", "--filter", $"label=suite={tag}", "--format", "{{.Names}}|{{.Image}}|{{.Command}}|{{.Status}}|{{.State}}");
        Assert.Contains($"{running}|busybox|\"sleep 300\"|Up ", table);
        Assert.Contains($"{exited}|busybox|\"sh -c 'exit 5'\"|Exited (5) ", table);
        Assert.Contains("|running", table);

        var sized = await fixture.DockerOkAsync("ps", "-s", "--filter", $"name={running}", "--format", "{{.Size}}");
        Assert.Contains("virtual", sized);
        Assert.Equal(exitedId, await fixture.DockerOkAsync("ps", "-a", "-n", "1", "-q", "--no-trunc", "--filter", $"label=suite={tag}"));

        await fixture.DockerOkAsync("rm", "-f", running, exited);
    }

    [Fact]
    public async Task LogsWithTailTimestampsAndFollow()
    {
        var name = BusyboxDaemonFixture.NewName("logs");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "for i in 1 2 3; do echo out$i; echo err$i >&2; done");
        await fixture.DockerOkAsync("wait", name);

        var (code, stdout, stderr) = await fixture.Daemon.DockerAsync("logs", name);
        Assert.Equal(0, code);
        Assert.Equal("out1\nout2\nout3\n", stdout);
        Assert.Equal("err1\nerr2\nerr3\n", stderr);

        (_, stdout, _) = await fixture.Daemon.DockerAsync("logs", "-t", name);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out1\n", stdout);

        var follower = BusyboxDaemonFixture.NewName("follow");
        await fixture.DockerOkAsync("run", "-d", "--name", follower, "busybox", "sh", "-c", "echo first; sleep 2; echo second");
        var started = DateTime.UtcNow;
        (code, stdout, _) = await fixture.Daemon.DockerAsync("logs", "-f", follower);
        Assert.Equal(0, code);
        Assert.Equal("first\nsecond\n", stdout);
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(1), "logs -f returned before the container had finished");
        Assert.Equal("second", await fixture.DockerOkAsync("logs", "--tail", "1", follower));
        Assert.Equal("", await fixture.DockerOkAsync("logs", "--tail", "0", follower));

        await fixture.DockerOkAsync("rm", name, follower);
    }

    [Fact]
    public async Task LogsOfATtyContainerAreRaw()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "-t", "busybox", "sh", "-c", "echo hello");
        await fixture.DockerOkAsync("wait", id);
        using var response = await fixture.Http.GetAsync($"containers/{id}/logs?stdout=1&stderr=1");
        Assert.Equal("application/vnd.docker.raw-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hello\r\n", await response.Content.ReadAsStringAsync());
        await fixture.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task LogsFramesAreMultiplexed()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "echo out; echo err >&2");
        await fixture.DockerOkAsync("wait", id);
        using var response = await fixture.Http.GetAsync($"containers/{id}/logs?stdout=1&stderr=1");
        Assert.Equal("application/vnd.docker.multiplexed-stream", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var frames = new List<(int Stream, string Text)>();
        for (var i = 0; i < bytes.Length;)
        {
            var length = (bytes[i + 4] << 24) | (bytes[i + 5] << 16) | (bytes[i + 6] << 8) | bytes[i + 7];
            frames.Add((bytes[i], System.Text.Encoding.UTF8.GetString(bytes, i + 8, length)));
            i += 8 + length;
        }
        Assert.Contains((1, "out\n"), frames);
        Assert.Contains((2, "err\n"), frames);
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync($"containers/{id}/logs"), 400, "you must choose at least one stream");
        await fixture.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task TopAndStatsOfARunningContainer()
    {
        var name = BusyboxDaemonFixture.NewName("top");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");

        var top = await fixture.DockerOkAsync("top", name);
        Assert.StartsWith("UID", top);
        Assert.Contains("sleep 300", top);
        var custom = await fixture.DockerOkAsync("top", name, "-o", "pid,comm");
        Assert.Equal(["PID", "COMMAND"], custom.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("sleep", custom.Split('\n')[1]);
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("top", name, "-o", "comm");
        Assert.Equal(1, code);
        Assert.Contains("Couldn't find PID field", stderr);

        var stats = await fixture.DockerOkAsync("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", name);
        Assert.Matches($@"^{name} [0-9.]+[KMG]?i?B / [0-9.]+[KMG]iB 1$", stats);

        using var response = await fixture.Http.GetAsync($"containers/{name}/stats?stream=0");
        using var sample = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = sample.RootElement;
        Assert.Equal("/" + name, root.GetProperty("name").GetString());
        Assert.True(root.GetProperty("cpu_stats").GetProperty("system_cpu_usage").GetInt64() > root.GetProperty("precpu_stats").GetProperty("system_cpu_usage").GetInt64());
        Assert.True(root.GetProperty("memory_stats").GetProperty("usage").GetInt64() > 0);
        Assert.Equal(1, root.GetProperty("pids_stats").GetProperty("current").GetInt64());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("blkio_stats").GetProperty("io_service_bytes_recursive").ValueKind);

        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task StatsOfAStoppedContainerAreZeros()
    {
        var id = await fixture.DockerOkAsync("create", "busybox", "true");
        using var response = await fixture.Http.GetAsync($"containers/{id}/stats?stream=0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sample = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, sample.RootElement.GetProperty("pids_stats").GetProperty("current").GetInt64());
        await fixture.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task UpdateMemoryAndRestartPolicy()
    {
        var name = BusyboxDaemonFixture.NewName("update");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "--memory", "64m", "busybox", "sleep", "300");
        await fixture.DockerOkAsync("update", "--memory", "96m", "--memory-swap", "-1", "--restart", "on-failure:2", name);
        Assert.Equal("100663296 on-failure 2", await fixture.DockerOkAsync("inspect", "--format",
            "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}", name));
        var pid = await fixture.DockerOkAsync("inspect", "--format", "{{.State.Pid}}", name);
        var memoryCgroup = File.ReadLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3)).First(p => p[1].Split(',').Contains("memory"))[2];
        Assert.Equal("100663296", File.ReadAllText($"/sys/fs/cgroup/memory{memoryCgroup}/memory.limit_in_bytes").Trim());
        var (code, _, stderr) = await fixture.Daemon.DockerAsync("update", "--restart", "sometimes", name);
        Assert.Equal(1, code);
        Assert.Contains("restart", stderr);
        await fixture.DockerOkAsync("rm", "-f", name);
    }
}
