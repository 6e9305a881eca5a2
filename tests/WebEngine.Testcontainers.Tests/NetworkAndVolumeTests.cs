using DotNet.Testcontainers.Builders;

namespace WebEngine.Testcontainers.Tests;

/// <summary>Testcontainers' NetworkBuilder and VolumeBuilder against the real daemon, with containers that use them.</summary>
public sealed class NetworkAndVolumeTests(TestcontainersDaemonFixture fixture) : TestcontainersTest(fixture)
{
    [Fact]
    public async Task AContainerJoiningAUserNetworkReachesAnotherByNameAndAlias()
    {
        await using (var network = Fixture.Network().WithName(TestcontainersDaemonFixture.NewName("tc-net")).Build())
        {
            await network.CreateAsync(Ct);
            await using var server = Fixture.Container("tc-server")
                .WithNetwork(network)
                .WithNetworkAliases("echo-server")
                .WithCommand("nc", "-ll", "-p", "7000", "-e", "echo", "pong")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(7000))
                .Build();
            // On the default bridge at first: joined to the network once it runs.
            await using var client = Fixture.Container("tc-client")
                .WithCommand("sleep", "300")
                .Build();
            await server.StartAsync(Ct);
            await client.StartAsync(Ct);
            var apart = await client.ExecAsync(["nc", "-w", "2", "echo-server", "7000"], Ct);
            Assert.NotEqual(0L, apart.ExitCode);
            await client.ConnectAsync(network, Ct);

            foreach (var host in new[] { "echo-server", server.Name.TrimStart('/') })
            {
                var exec = await client.ExecAsync(["nc", "-w", "5", host, "7000"], Ct);
                Assert.True(exec.Stdout == "pong\n", $"nc {host} 7000 exited {exec.ExitCode}: {exec.Stdout}{exec.Stderr}");
            }
            var inspected = await Fixture.GetJsonAsync($"networks/{network.Name}");
            Assert.Equal(2, inspected.GetProperty("Containers").EnumerateObject().Count());
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AVolumeKeepsWhatOneContainerWroteForTheNext()
    {
        await using (var volume = Fixture.Volume().WithName(TestcontainersDaemonFixture.NewName("tc-vol")).Build())
        {
            await volume.CreateAsync(Ct);
            await using (var writer = Fixture.Container("tc-writer")
                .WithVolumeMount(volume, "/data")
                .WithCommand("sh", "-c", "echo kept > /data/note.txt")
                .Build())
            {
                await writer.StartAsync(Ct);
                Assert.Equal(0L, await writer.GetExitCodeAsync(Ct));
            }
            await using var reader = Fixture.Container("tc-reader")
                .WithVolumeMount(volume, "/data")
                .WithCommand("sleep", "300")
                .Build();
            await reader.StartAsync(Ct);
            Assert.Equal("kept\n", System.Text.Encoding.UTF8.GetString(await reader.ReadFileAsync("/data/note.txt", Ct)));
            var listed = await Fixture.GetJsonAsync($"volumes/{volume.Name}");
            Assert.Equal(volume.Name, listed.GetProperty("Name").GetString());
        }
        await Fixture.AssertNothingLeftAsync();
    }
}
