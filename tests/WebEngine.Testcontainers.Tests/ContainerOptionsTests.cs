using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using WebEngine.TestSupport;

namespace WebEngine.Testcontainers.Tests;

/// <summary>ContainerBuilder's other options, wait strategies and container operations against the real daemon.</summary>
public sealed class ContainerOptionsTests(TestcontainersDaemonFixture fixture) : TestcontainersTest(fixture)
{
    [Fact]
    public async Task EntrypointWorkdirHostnameExtraHostTmpfsBindMountAndPrivilegeReachTheContainer()
    {
        using var hostDir = new TempDirectory("tc-bind");
        await File.WriteAllTextAsync(hostDir.Combine("from-host.txt"), "host file\n", Ct);
        await using (var container = Fixture.Container("tc-opts")
            .WithEntrypoint("sh", "-c")
            .WithCommand("echo started; exec sleep 300")
            .WithWorkingDirectory("/work")
            .WithHostname("tc-host")
            .WithExtraHost("db.example", "10.1.2.3")
            .WithTmpfsMount("/scratch")
            .WithBindMount(hostDir.Path, "/bind", AccessMode.ReadOnly)
            .WithPrivileged(true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("started").UntilFileExists("/bind/from-host.txt", FileSystem.Container))
            .Build())
        {
            await container.StartAsync(Ct);
            var exec = await container.ExecAsync(["sh", "-c", "pwd; hostname; grep db.example /etc/hosts; grep ' /scratch ' /proc/mounts | cut -d' ' -f3; cat /bind/from-host.txt; touch /bind/x 2>&1 || echo read-only; mkdir /m && mount -t tmpfs none /m && echo privileged"], Ct);
            Assert.Equal("/work\ntc-host\n10.1.2.3\tdb.example\ntmpfs\nhost file\ntouch: /bind/x: Read-only file system\nread-only\nprivileged\n", exec.Stdout + exec.Stderr);
            Assert.False(string.IsNullOrEmpty(container.IpAddress));
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task OutputConsumerPauseUnpauseAndARestartAfterStop()
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await using (var container = Fixture.Container("tc-state")
            .WithCommand("sh", "-c", "trap 'exit 0' TERM; echo out-line; echo err-line >&2; sleep 300 & wait")
            .WithOutputConsumer(Consume.RedirectStdoutAndStderrToStream(stdout, stderr))
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("err-line"))
            .Build())
        {
            await container.StartAsync(Ct);
            Assert.Equal(TestcontainersStates.Running, container.State);
            var firstStart = container.StartedTime;
            Assert.True(firstStart > DateTime.UtcNow.AddMinutes(-5) && firstStart <= DateTime.UtcNow.AddSeconds(5), $"started at {firstStart:O}");

            await container.PauseAsync(Ct);
            Assert.Equal(TestcontainersStates.Paused, container.State);
            await container.UnpauseAsync(Ct);
            Assert.Equal(TestcontainersStates.Running, container.State);

            await container.StopAsync(Ct);
            Assert.Equal(TestcontainersStates.Exited, container.State);
            Assert.True(container.StoppedTime >= firstStart, $"stopped at {container.StoppedTime:O}, started at {firstStart:O}");
            await container.StartAsync(Ct);
            Assert.Equal(TestcontainersStates.Running, container.State);
            Assert.True(container.StartedTime >= container.StoppedTime, $"started again at {container.StartedTime:O}");
            await container.StopAsync(Ct);
        }
        Assert.Contains("out-line\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Contains("err-line\n", Encoding.UTF8.GetString(stderr.ToArray()));
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task WaitsForAnHttpAnswerAndForAHealthyContainer()
    {
        await using (var container = Fixture.Container("tc-http")
            .WithCommand("sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www")
            .WithPortBinding(80, assignRandomHostPort: true)
            .WithCreateParameterModifier(parameters => parameters.Healthcheck = new Docker.DotNet.Models.HealthcheckConfig
            {
                Test = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"],
                Interval = TimeSpan.FromMilliseconds(200),
                StartInterval = TimeSpan.FromMilliseconds(200),
            })
            .WithWaitStrategy(Wait.ForUnixContainer()
                .UntilHttpRequestIsSucceeded(request => request.ForPort(80).ForPath("/").ForResponseMessageMatching(async r => await r.Content.ReadAsStringAsync() == "hello\n"))
                .UntilContainerIsHealthy())
            .Build())
        {
            await container.StartAsync(Ct);
            Assert.Equal(TestcontainersHealthStatus.Healthy, container.Health);
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AnAutoRemovedContainerGoesAwayWhenItExits()
    {
        string id;
        await using (var container = Fixture.Container("tc-auto")
            .WithAutoRemove(true)
            .WithCommand("sh", "-c", "echo bye; sleep 1")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("bye"))
            .Build())
        {
            await container.StartAsync(Ct);
            id = container.Id;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await Fixture.Http.GetAsync($"containers/{id}/json", Ct)).IsSuccessStatusCode)
            {
                Assert.True(DateTime.UtcNow < deadline, "the auto-removed container is still there 30 s on");
                await Task.Delay(100, Ct);
            }
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task PullsItsImageFromALocalRegistry()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "tc/busybox:pulled");
        var image = $"{registry.Host}/tc/busybox:pulled";
        await using (var container = Fixture.Container("tc-pull")
            .WithImage(image)
            .WithImagePullPolicy(DotNet.Testcontainers.Images.PullPolicy.Always)
            .WithCommand("echo", "pulled")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("pulled", wait => wait.WithMode(WaitStrategyMode.OneShot)))
            .Build())
        {
            await container.StartAsync(Ct);
            Assert.Equal(0L, await container.GetExitCodeAsync(Ct));
        }
        var pulled = await Fixture.GetJsonAsync($"images/{image}/json");
        Assert.Contains(image, pulled.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.True((await Fixture.Http.DeleteAsync($"images/{image}", Ct)).IsSuccessStatusCode);
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task ReadsTheLogSinceATime()
    {
        await using (var container = Fixture.Container("tc-since")
            .WithCommand("sh", "-c", "trap 'exit 0' TERM; echo early; sleep 2; echo late; sleep 300 & wait")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("late"))
            .Build())
        {
            await container.StartAsync(Ct);
            var (stamped, _) = await container.GetLogsAsync(ct: Ct);
            var lines = stamped.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["early", "late"], lines.Select(l => l.Split(' ', 2)[1]));
            var lateAt = DateTime.Parse(lines[1].Split(' ')[0], null, System.Globalization.DateTimeStyles.AdjustToUniversal);

            // Testcontainers sends whole seconds: the second "late" was written in is still 2 s after "early".
            Assert.Equal(("late\n", ""), await container.GetLogsAsync(since: lateAt, timestampsEnabled: false, ct: Ct));
            Assert.Equal(("early\n", ""), await container.GetLogsAsync(until: lateAt.AddSeconds(-1), timestampsEnabled: false, ct: Ct));
        }
        await Fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AReusableContainerIsFoundByItsLabelsTheSecondTime()
    {
        var name = TestcontainersDaemonFixture.NewName("tc-reuse");
        ContainerBuilder Reusable() => Fixture.Container(name).WithName(name).WithReuse(true).WithCommand("sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait");
        var first = Reusable().Build();
        try
        {
            await first.StartAsync(Ct);
            await using var second = Reusable().Build();
            await second.StartAsync(Ct);
            Assert.Equal(first.Id, second.Id);
        }
        finally
        {
            await first.DisposeAsync();
            await Fixture.Http.DeleteAsync($"containers/{name}?force=1", CancellationToken.None);
        }
        await Fixture.AssertNothingLeftAsync();
    }
}
