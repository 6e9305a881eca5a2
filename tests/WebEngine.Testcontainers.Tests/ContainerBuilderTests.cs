using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using WebEngine.TestSupport;

namespace WebEngine.Testcontainers.Tests;

/// <summary>Testcontainers' ContainerBuilder and container against the real daemon: what its users do with one container.</summary>
public sealed class ContainerBuilderTests(TestcontainersDaemonFixture fixture) : TestcontainersTest(fixture)
{
    [Fact]
    public async Task StartsWithCommandEnvAndLabelsWaitsForItsLogAndACommandThenExecsStopsAndIsRemoved()
    {
        string id;
        await using (var container = Fixture.Container("tc-life")
            .WithEnvironment("GREETING", "hello")
            .WithLabel("suite", "testcontainers")
            // A shell as PID 1 ignores SIGTERM unless it traps it: this one exits 5 on the stop's signal.
            .WithCommand("sh", "-c", "trap 'exit 5' TERM; echo \"greeting=$GREETING\"; echo to-stderr >&2; touch /tmp/ready; sleep 300 & wait")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("greeting=hello").UntilCommandIsCompleted("test", "-f", "/tmp/ready"))
            .Build())
        {
            await container.StartAsync(Ct);
            id = container.Id;
            Assert.StartsWith("/tc-life-", container.Name);

            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false, ct: Ct);
            Assert.Equal("greeting=hello\n", stdout);
            Assert.Equal("to-stderr\n", stderr);

            var exec = await container.ExecAsync(["sh", "-c", "echo \"in-exec $GREETING\"; echo exec-err >&2; exit 3"], Ct);
            Assert.Equal((3L, "in-exec hello\n", "exec-err\n"), (exec.ExitCode, exec.Stdout, exec.Stderr));

            var inspected = await Fixture.GetJsonAsync($"containers/{id}/json");
            Assert.Equal("testcontainers", inspected.GetProperty("Config").GetProperty("Labels").GetProperty("suite").GetString());
            Assert.Contains("GREETING=hello", inspected.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));

            await container.StopAsync(Ct);
            Assert.Equal(5L, await container.GetExitCodeAsync(Ct));
        }
        var gone = await Fixture.Http.GetAsync($"containers/{id}/json", Ct);
        Assert.Equal(404, (int)gone.StatusCode);
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task CopiesFilesAndADirectoryInWithOwnersModesAndLongPathsAndReadsThemBack()
    {
        using var source = new TempDirectory("tc-copy");
        Directory.CreateDirectory(source.Combine("nested", "deeper"));
        await File.WriteAllTextAsync(source.Combine("top.txt"), "top\n", Ct);
        await File.WriteAllTextAsync(source.Combine("nested", "deeper", "leaf.txt"), "leaf\n", Ct);
        // Past the 100 bytes of a tar header's name: Testcontainers' tar writer adds a GNU long-name entry.
        var longPath = "/long/" + new string('d', 120) + "/" + new string('f', 110) + ".txt";
        await using (var container = Fixture.Container("tc-files")
            .WithResourceMapping(Encoding.UTF8.GetBytes("mapped before start\n"), FilePath.Of("/config/app.conf"))
            .WithResourceMapping(DirectoryPath.Of(source.Path), DirectoryPath.Of("/copied"))
            .WithCommand("sh", "-c", "echo made-inside > /tmp/inside.txt; echo started; exec sleep 300")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("started"))
            .Build())
        {
            await container.StartAsync(Ct);
            Assert.Equal("mapped before start\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/config/app.conf", Ct)));

            await container.CopyAsync(Encoding.UTF8.GetBytes("copied after start\n"), "/data/copied.txt", 1234, 5678,
                UnixFileModes.UserRead | UnixFileModes.UserWrite | UnixFileModes.UserExecute | UnixFileModes.GroupRead, Ct);
            await container.CopyAsync(Encoding.UTF8.GetBytes("long\n"), longPath, ct: Ct);
            var exec = await container.ExecAsync(["sh", "-c", $"cat /copied/top.txt /copied/nested/deeper/leaf.txt {longPath}; stat -c '%u:%g %a' /data/copied.txt"], Ct);
            Assert.Equal((0L, "top\nleaf\nlong\n1234:5678 740\n"), (exec.ExitCode, exec.Stdout + exec.Stderr));
            Assert.Equal("copied after start\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/data/copied.txt", Ct)));
            Assert.Equal("long\n", Encoding.UTF8.GetString(await container.ReadFileAsync(longPath, Ct)));
            Assert.Equal("made-inside\n", Encoding.UTF8.GetString(await container.ReadFileAsync("/tmp/inside.txt", Ct)));
            await Assert.ThrowsAsync<FileNotFoundException>(() => container.ReadFileAsync("/no/such/file", Ct));
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task PublishesPortsOnRandomAndFixedHostPortsReachedOverLoopback()
    {
        ushort hostPort;
        var fixedPort = LoopbackPort.Free();
        await using (var container = Fixture.Container("tc-port")
            .WithCommand("sh", "-c", "nc -ll -p 8081 -e echo fixed & exec nc -ll -p 8080 -e echo hi")
            .WithPortBinding(8080, assignRandomHostPort: true)
            .WithPortBinding(fixedPort, 8081)
            .WithPortBinding("9001/udp", assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(8080).UntilExternalTcpPortIsAvailable(8080)
                .UntilExternalTcpPortIsAvailable(8081))
            .Build())
        {
            await container.StartAsync(Ct);
            hostPort = container.GetMappedPublicPort(8080);
            Assert.NotEqual(8080, hostPort);
            Assert.Equal("hi\n", await ReadLineAsync(container.Hostname, hostPort, Ct));
            Assert.Equal(fixedPort, container.GetMappedPublicPort(8081));
            Assert.Equal("fixed\n", await ReadLineAsync(container.Hostname, fixedPort, Ct));
            Assert.NotEqual(0, container.GetMappedPublicPort("9001/udp"));
        }
        await Fixture.AssertNothingLeftAsync();
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync("127.0.0.1", hostPort, Ct));
    }

    private static async Task<string> ReadLineAsync(string host, int port, CancellationToken Ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, Ct);
        using var reader = new StreamReader(client.GetStream());
        return await reader.ReadLineAsync(Ct) + "\n";
    }
}
