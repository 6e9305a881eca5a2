using Docker.DotNet;
using Docker.DotNet.Models;
using WebEngine.Api.Tests.Containers;

namespace WebEngine.Api.Tests.DockerDotNet;

/// <summary>The Docker.DotNet client (NuGet) against the real daemon on its unix socket: a container's whole life.</summary>
public sealed class DockerDotNetTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly DockerClient _client = new DockerClientConfiguration(new Uri($"unix://{fixture.Daemon.Socket}")).CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreatesStartsInspectsListsReadsLogsExecsStopsAndRemovesAContainer()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var name = BusyboxDaemonFixture.NewName("dotnet");
        var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "busybox",
            Cmd = ["sh", "-c", "echo out; echo err >&2; exec sleep 300"],
        }, ct);
        Assert.Matches("^[0-9a-f]{64}$", created.ID);
        try
        {
            Assert.True(await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct));

            var inspected = await _client.Containers.InspectContainerAsync(created.ID, ct);
            Assert.Equal("/" + name, inspected.Name);
            Assert.True(inspected.State.Running);

            var listed = await _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
            }, ct);
            Assert.Equal(created.ID, Assert.Single(listed).ID);

            var (stdout, stderr) = await ReadLogsAsync(created.ID, ct);
            Assert.Equal(("out\n", "err\n"), (stdout, stderr));

            var exec = await _client.Exec.ExecCreateContainerAsync(created.ID, new ContainerExecCreateParameters
            {
                Cmd = ["sh", "-c", "echo in-exec; exit 7"],
                AttachStdout = true,
                AttachStderr = true,
            }, ct);
            using (var stream = await _client.Exec.StartAndAttachContainerExecAsync(exec.ID, false, ct))
            {
                var output = await stream.ReadOutputToEndAsync(ct);
                Assert.Equal("in-exec\n", output.stdout);
            }
            var execInspected = await _client.Exec.InspectContainerExecAsync(exec.ID, ct);
            Assert.Equal(7L, execInspected.ExitCode);

            Assert.True(await _client.Containers.StopContainerAsync(created.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 }, ct));
            Assert.False((await _client.Containers.InspectContainerAsync(created.ID, ct)).State.Running);
        }
        finally
        {
            await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        var gone = await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => _client.Containers.InspectContainerAsync(created.ID, ct));
        Assert.Contains(created.ID, gone.Message);
    }

    [Fact]
    public async Task AttachesToAContainerAndReadsItsOutputApart()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = BusyboxDaemonFixture.NewName("dotnet-attach"),
            Image = "busybox",
            Cmd = ["sh", "-c", "sleep 1; echo hello; echo oops >&2"],
            AttachStdout = true,
            AttachStderr = true,
        }, ct);
        try
        {
            using var stream = await _client.Containers.AttachContainerAsync(created.ID, false,
                new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, ct);
            await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
            Assert.Equal(("hello\n", "oops\n"), (stdout, stderr));
            var waited = await _client.Containers.WaitContainerAsync(created.ID, ct);
            Assert.Equal(0L, waited.StatusCode);
        }
        finally
        {
            await _client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }

    [Fact]
    public async Task ListsTheLoadedImages()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var images = await _client.Images.ListImagesAsync(new ImagesListParameters(), timeout.Token);
        var busybox = Assert.Single(images, image => image.RepoTags?.Contains("busybox:latest") == true);
        Assert.StartsWith("sha256:", busybox.ID);
        Assert.True(busybox.Size > 0);
    }

    /// <summary>The container's log, multiplexed; read again until both lines are there (the container writes them as it starts).</summary>
    private async Task<(string Stdout, string Stderr)> ReadLogsAsync(string id, CancellationToken ct)
    {
        while (true)
        {
            using var stream = await _client.Containers.GetContainerLogsAsync(id, false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, ct);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
            if (stdout.Length > 0 && stderr.Length > 0)
                return (stdout, stderr);
            await Task.Delay(100, ct);
        }
    }
}
