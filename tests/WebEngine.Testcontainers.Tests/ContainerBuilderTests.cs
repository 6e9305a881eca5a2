using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using WebEngine.TestSupport;

namespace WebEngine.Testcontainers.Tests;

/// <summary>Testcontainers' ContainerBuilder and container against the real daemon: what its users do with one container.</summary>
public sealed class ContainerBuilderTests(TestcontainersDaemonFixture fixture) : IClassFixture<TestcontainersDaemonFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartsWithCommandEnvAndLabelsWaitsForItsLogAndACommandThenExecsStopsAndIsRemoved()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var name = TestcontainersDaemonFixture.NewName("tc-life");
        string id;
        await using (var container = fixture.Container()
            .WithName(name)
            .WithEnvironment("GREETING", "hello")
            .WithLabel("suite", "testcontainers")
            // A shell as PID 1 ignores SIGTERM unless it traps it: this one exits 5 on the stop's signal.
            .WithCommand("sh", "-c", "trap 'exit 5' TERM; echo \"greeting=$GREETING\"; echo to-stderr >&2; touch /tmp/ready; sleep 300 & wait")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("greeting=hello").UntilCommandIsCompleted("test", "-f", "/tmp/ready"))
            .Build())
        {
            await container.StartAsync(ct);
            id = container.Id;
            Assert.Equal(name, container.Name.TrimStart('/'));

            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false, ct: ct);
            Assert.Equal("greeting=hello\n", stdout);
            Assert.Equal("to-stderr\n", stderr);

            var exec = await container.ExecAsync(["sh", "-c", "echo \"in-exec $GREETING\"; echo exec-err >&2; exit 3"], ct);
            Assert.Equal((3L, "in-exec hello\n", "exec-err\n"), (exec.ExitCode, exec.Stdout, exec.Stderr));

            var inspected = await fixture.GetJsonAsync($"containers/{id}/json");
            Assert.Equal("testcontainers", inspected.GetProperty("Config").GetProperty("Labels").GetProperty("suite").GetString());
            Assert.Contains("GREETING=hello", inspected.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));

            await container.StopAsync(ct);
            Assert.Equal(5L, await container.GetExitCodeAsync(ct));
        }
        var gone = await fixture.Http.GetAsync($"containers/{id}/json", ct);
        Assert.Equal(404, (int)gone.StatusCode);
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task CopiesFilesAndADirectoryInWithOwnersModesAndLongPathsAndReadsThemBack()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        using var source = new TempDirectory("tc-copy");
        Directory.CreateDirectory(source.Combine("nested", "deeper"));
        await File.WriteAllTextAsync(source.Combine("top.txt"), "top\n", ct);
        await File.WriteAllTextAsync(source.Combine("nested", "deeper", "leaf.txt"), "leaf\n", ct);
        // Past the 100 bytes of a tar header's name: Testcontainers' tar writer adds a GNU long-name entry.
        var longPath = "/long/" + new string('d', 120) + "/" + new string('f', 110) + ".txt";
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-files"))
            .WithResourceMapping(Encoding.UTF8.GetBytes("mapped before start\n"), FilePath.Of("/config/app.conf"))
            .WithResourceMapping(DirectoryPath.Of(source.Path), DirectoryPath.Of("/copied"))
            .WithCommand("sh", "-c", "echo made-inside > /tmp/inside.txt; echo started; exec sleep 300")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("started"))
            .Build())
        {
            await container.StartAsync(ct);
            Assert.Equal("mapped before start\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/config/app.conf", ct)));

            await container.CopyAsync(Encoding.UTF8.GetBytes("copied after start\n"), "/data/copied.txt", 1234, 5678,
                UnixFileModes.UserRead | UnixFileModes.UserWrite | UnixFileModes.UserExecute | UnixFileModes.GroupRead, ct);
            await container.CopyAsync(Encoding.UTF8.GetBytes("long\n"), longPath, ct: ct);
            var exec = await container.ExecAsync(["sh", "-c", $"cat /copied/top.txt /copied/nested/deeper/leaf.txt {longPath}; stat -c '%u:%g %a' /data/copied.txt"], ct);
            Assert.Equal((0L, "top\nleaf\nlong\n1234:5678 740\n"), (exec.ExitCode, exec.Stdout + exec.Stderr));
            Assert.Equal("copied after start\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/data/copied.txt", ct)));
            Assert.Equal("long\n", Encoding.UTF8.GetString(await container.ReadFileAsync(longPath, ct)));
            Assert.Equal("made-inside\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/tmp/inside.txt", ct)));
            await Assert.ThrowsAsync<FileNotFoundException>(() => container.ReadFileAsync("/no/such/file", ct));
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task PublishesPortsOnRandomAndFixedHostPortsReachedOverLoopback()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        ushort hostPort;
        var fixedPort = LoopbackPort.Free();
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-port"))
            .WithCommand("sh", "-c", "nc -ll -p 8081 -e echo fixed & exec nc -ll -p 8080 -e echo hi")
            .WithPortBinding(8080, assignRandomHostPort: true)
            .WithPortBinding(fixedPort, 8081)
            .WithPortBinding("9001/udp", assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(8080).UntilExternalTcpPortIsAvailable(8080)
                .UntilExternalTcpPortIsAvailable(8081))
            .Build())
        {
            await container.StartAsync(ct);
            hostPort = container.GetMappedPublicPort(8080);
            Assert.NotEqual(8080, hostPort);
            Assert.Equal("hi\n", await ReadLineAsync(container.Hostname, hostPort, ct));
            Assert.Equal(fixedPort, container.GetMappedPublicPort(8081));
            Assert.Equal("fixed\n", await ReadLineAsync(container.Hostname, fixedPort, ct));
            Assert.NotEqual(0, container.GetMappedPublicPort("9001/udp"));
        }
        await fixture.AssertNothingLeftAsync();
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync("127.0.0.1", hostPort, ct));
    }

    private static async Task<string> ReadLineAsync(string host, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, ct);
        using var reader = new StreamReader(client.GetStream());
        return await reader.ReadLineAsync(ct) + "\n";
    }
}
