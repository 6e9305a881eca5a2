using DotNet.Testcontainers.Builders;

namespace WebEngine.Testcontainers.Tests;

/// <summary>Testcontainers' NetworkBuilder and VolumeBuilder against the real daemon, with containers that use them.</summary>
public sealed class NetworkAndVolumeTests(TestcontainersDaemonFixture fixture) : IClassFixture<TestcontainersDaemonFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoContainersOnAUserNetworkReachEachOtherByNameAndAlias()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var serverName = TestcontainersDaemonFixture.NewName("tc-server");
        await using (var network = fixture.Network().WithName(TestcontainersDaemonFixture.NewName("tc-net")).Build())
        {
            await network.CreateAsync(ct);
            await using var server = fixture.Container()
                .WithName(serverName)
                .WithNetwork(network)
                .WithNetworkAliases("echo-server")
                .WithCommand("nc", "-ll", "-p", "7000", "-e", "echo", "pong")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(7000))
                .Build();
            await using var client = fixture.Container()
                .WithName(TestcontainersDaemonFixture.NewName("tc-client"))
                .WithNetwork(network)
                .WithCommand("sleep", "300")
                .Build();
            await server.StartAsync(ct);
            await client.StartAsync(ct);

            foreach (var host in new[] { "echo-server", serverName })
            {
                var exec = await client.ExecAsync(["nc", "-w", "5", host, "7000"], ct);
                Assert.True(exec.Stdout == "pong\n", $"nc {host} 7000 exited {exec.ExitCode}: {exec.Stdout}{exec.Stderr}");
            }
            var inspected = await fixture.GetJsonAsync($"networks/{network.Name}");
            Assert.Equal(2, inspected.GetProperty("Containers").EnumerateObject().Count());
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AVolumeKeepsWhatOneContainerWroteForTheNext()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        await using (var volume = fixture.Volume().WithName(TestcontainersDaemonFixture.NewName("tc-vol")).Build())
        {
            await volume.CreateAsync(ct);
            await using (var writer = fixture.Container()
                .WithName(TestcontainersDaemonFixture.NewName("tc-writer"))
                .WithVolumeMount(volume, "/data")
                .WithCommand("sh", "-c", "echo kept > /data/note.txt")
                .Build())
            {
                await writer.StartAsync(ct);
                Assert.Equal(0L, await writer.GetExitCodeAsync(ct));
            }
            await using var reader = fixture.Container()
                .WithName(TestcontainersDaemonFixture.NewName("tc-reader"))
                .WithVolumeMount(volume, "/data")
                .WithCommand("sleep", "300")
                .Build();
            await reader.StartAsync(ct);
            Assert.Equal("kept\n", System.Text.Encoding.UTF8.GetString(await reader.ReadFileAsync("/data/note.txt", ct)));
            var listed = await fixture.GetJsonAsync($"volumes/{volume.Name}");
            Assert.Equal(volume.Name, listed.GetProperty("Name").GetString());
        }
        await fixture.AssertNothingLeftAsync();
    }
}
