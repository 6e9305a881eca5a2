using System.Net;
using System.Text;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Tests.Streams;

/// <summary>POST /containers/{id}/attach over raw HTTP, as the docker CLI speaks it.</summary>
public sealed class AttachTests(StreamsHostFixture fixture) : IClassFixture<StreamsHostFixture>
{
    private StreamsHost Host => fixture.Host;

    [Fact]
    public async Task AttachBeforeStartUpgradesAndFramesStdoutAndStderrFromTheFirstByte()
    {
        var id = await Host.CreateAsync("echo out; echo err >&2; echo more");
        using var client = Host.Connect();
        var response = await client.SendAsync("POST", $"/v1.50/containers/{id}/attach?stream=1&stdout=1&stderr=1");
        Assert.Equal(101, response.Status);
        Assert.Equal("application/vnd.docker.multiplexed-stream", response.Header("Content-Type"));
        Assert.Equal("tcp", response.Header("Upgrade"));
        client.CloseWrite();

        await Host.Containers.StartAsync(id, StreamsHost.Timeout());
        var frames = await client.ReadFramesToEndAsync(StreamsHost.Timeout());
        Assert.Equal("out\nmore\n", string.Concat(frames.Where(f => f.Stream == 1).Select(f => f.Text)));
        Assert.Equal("err\n", string.Concat(frames.Where(f => f.Stream == 2).Select(f => f.Text)));
    }

    [Fact]
    public async Task StdinOnceHalfCloseClosesTheContainersStdinAndOutputGoesOn()
    {
        var id = await Host.CreateAsync("cat; echo done", new ContainerConfig { OpenStdin = true, StdinOnce = true, AttachStdin = true });
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1")).Status);
        await Host.Containers.StartAsync(id, StreamsHost.Timeout());
        await client.WriteAsync("hello\nworld\n");
        client.CloseWrite();

        var (stdout, stderr, _) = await client.ReadOutputToEndAsync(StreamsHost.Timeout());
        Assert.Equal("hello\nworld\ndone\n", stdout);
        Assert.Equal("", stderr);
        Assert.Equal(0, (await Host.Containers.WaitAsync(id, WaitCondition.NotRunning, StreamsHost.Timeout())).ExitCode);
    }

    [Fact]
    public async Task DetachKeysEndTheAttachAndLeaveTheContainerRunning()
    {
        var id = await Host.RunAsync("cat", new ContainerConfig { OpenStdin = true });
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/containers/{id}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x,x")).Status);
        // A lone ctrl-x that is not followed by x is passed on, in order.
        await client.WriteAsync([(byte)'a', 0x18, (byte)'b', (byte)'\n']);
        Assert.EndsWith("a\u0018b\n", await client.ReadUntilAsync("b\n", StreamsHost.Timeout()));
        await client.WriteAsync([0x18, (byte)'x']);

        Assert.Empty(await client.ReadFramesToEndAsync(StreamsHost.Timeout()));
        Assert.True((await Host.Containers.InspectAsync(id, StreamsHost.Timeout())).State.Running);
    }

    [Fact]
    public async Task TtyAttachIsARawStreamAndLogsReplayTheHistory()
    {
        var id = await Host.RunAsync("echo first; read line; echo \"got $line\"", new ContainerConfig { OpenStdin = true, Tty = true });
        await WaitForLogAsync(id, "first");
        using var client = Host.Connect();
        var response = await client.SendAsync("POST", $"/containers/{id}/attach?logs=1&stream=1&stdin=1&stdout=1&stderr=1");
        Assert.Equal("application/vnd.docker.raw-stream", response.Header("Content-Type"));
        Assert.Contains("first", await client.ReadUntilAsync("first", StreamsHost.Timeout()));
        await client.WriteAsync("hi\r");
        Assert.Contains("got hi", await client.ReadRawToEndAsync(StreamsHost.Timeout()));
    }

    [Fact]
    public async Task WithoutUpgradeHeadersTheOutputIsTheResponseBody()
    {
        var id = await Host.CreateAsync("echo plain");
        using var http = RawDockerConnection.HttpClient(Host.Socket);
        // The headers come once the attach is registered, so starting after them loses nothing.
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/containers/{id}/attach?stream=1&stdout=1"),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Host.Containers.StartAsync(id, StreamsHost.Timeout());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 6, .. Encoding.ASCII.GetBytes("plain\n")], body);
    }

    [Fact]
    public async Task ErrorsComeBeforeTheHandshakeAsDockerJson()
    {
        using var client = Host.Connect();
        var missing = await client.SendAsync("POST", "/containers/nosuchcontainer/attach?stream=1&stdout=1");
        Assert.Equal(404, missing.Status);
        Assert.Equal("application/json", missing.Header("Content-Type"));

        var id = await Host.CreateAsync("true");
        using var second = Host.Connect();
        var badKeys = await second.SendAsync("POST", $"/containers/{id}/attach?stream=1&stdout=1&detachKeys=ctrl-1");
        Assert.Equal(400, badKeys.Status);
    }

    [Fact]
    public async Task AttachToAContainerThatIsRemovedBeforeItRunsEnds()
    {
        var id = await Host.CreateAsync("true");
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/containers/{id}/attach?stream=1&stdout=1&stderr=1")).Status);
        await Host.Containers.RemoveAsync(id, force: true, removeVolumes: false, StreamsHost.Timeout());
        Assert.Empty(await client.ReadFramesToEndAsync(StreamsHost.Timeout()));
    }

    [Fact]
    public async Task AClientThatNeverReadsDoesNotHoldUpTheContainer()
    {
        var id = await Host.CreateAsync("head -c 20000000 /dev/zero; echo finished");
        using var client = Host.Connect();
        Assert.Equal(101, (await client.SendAsync("POST", $"/containers/{id}/attach?stream=1&stdout=1")).Status);
        var waiter = await Host.Containers.BeginWaitAsync(id, WaitCondition.NextExit, StreamsHost.Timeout());
        await Host.Containers.StartAsync(id, StreamsHost.Timeout());
        Assert.Equal(0, (await waiter.Result.WaitAsync(StreamsHost.Timeout())).ExitCode);
    }

    private async Task WaitForLogAsync(string id, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var log = new StringBuilder();
            await foreach (var entry in await Host.Containers.LogsAsync(id, new Engine.Logs.LogReadOptions(), StreamsHost.Timeout()))
                log.Append(entry.Text);
            if (log.ToString().Contains(text, StringComparison.Ordinal))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"the log never showed \"{text}\"");
            await Task.Delay(50);
        }
    }
}
