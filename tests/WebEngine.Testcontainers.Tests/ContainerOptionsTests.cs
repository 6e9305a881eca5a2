using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using WebEngine.TestSupport;

namespace WebEngine.Testcontainers.Tests;

/// <summary>ContainerBuilder's other options, wait strategies and container operations against the real daemon.</summary>
public sealed class ContainerOptionsTests(TestcontainersDaemonFixture fixture) : IClassFixture<TestcontainersDaemonFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EntrypointWorkdirHostnameExtraHostTmpfsBindMountAndPrivilegeReachTheContainer()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        using var hostDir = new TempDirectory("tc-bind");
        await File.WriteAllTextAsync(hostDir.Combine("from-host.txt"), "host file\n", ct);
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-opts"))
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
            await container.StartAsync(ct);
            var exec = await container.ExecAsync(["sh", "-c", "pwd; hostname; grep db.example /etc/hosts; grep ' /scratch ' /proc/mounts | cut -d' ' -f3; cat /bind/from-host.txt; touch /bind/x 2>&1 || echo read-only; mkdir /m && mount -t tmpfs none /m && echo privileged"], ct);
            Assert.Equal("/work\ntc-host\n10.1.2.3\tdb.example\ntmpfs\nhost file\ntouch: /bind/x: Read-only file system\nread-only\nprivileged\n", exec.Stdout + exec.Stderr);
            Assert.False(string.IsNullOrEmpty(container.IpAddress));
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task OutputConsumerPauseUnpauseAndARestartAfterStop()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-state"))
            .WithCommand("sh", "-c", "trap 'exit 0' TERM; echo out-line; echo err-line >&2; sleep 300 & wait")
            .WithOutputConsumer(Consume.RedirectStdoutAndStderrToStream(stdout, stderr))
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("err-line"))
            .Build())
        {
            await container.StartAsync(ct);
            Assert.Equal(TestcontainersStates.Running, container.State);
            var firstStart = container.StartedTime;
            Assert.True(firstStart > DateTime.UtcNow.AddMinutes(-5) && firstStart <= DateTime.UtcNow.AddSeconds(5), $"started at {firstStart:O}");

            await container.PauseAsync(ct);
            Assert.Equal(TestcontainersStates.Paused, container.State);
            await container.UnpauseAsync(ct);
            Assert.Equal(TestcontainersStates.Running, container.State);

            await container.StopAsync(ct);
            Assert.Equal(TestcontainersStates.Exited, container.State);
            Assert.True(container.StoppedTime >= firstStart, $"stopped at {container.StoppedTime:O}, started at {firstStart:O}");
            await container.StartAsync(ct);
            Assert.Equal(TestcontainersStates.Running, container.State);
            Assert.True(container.StartedTime >= container.StoppedTime, $"started again at {container.StartedTime:O}");
            await container.StopAsync(ct);
        }
        Assert.Contains("out-line\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Contains("err-line\n", Encoding.UTF8.GetString(stderr.ToArray()));
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task WaitsForAnHttpAnswerAndForAHealthyContainer()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-http"))
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
            await container.StartAsync(ct);
            Assert.Equal(TestcontainersHealthStatus.Healthy, container.Health);
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AnAutoRemovedContainerGoesAwayWhenItExits()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        string id;
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-auto"))
            .WithAutoRemove(true)
            .WithCommand("sh", "-c", "echo bye; sleep 1")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("bye"))
            .Build())
        {
            await container.StartAsync(ct);
            id = container.Id;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await fixture.Http.GetAsync($"containers/{id}/json", ct)).IsSuccessStatusCode)
            {
                Assert.True(DateTime.UtcNow < deadline, "the auto-removed container is still there 30 s on");
                await Task.Delay(100, ct);
            }
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task PullsItsImageFromALocalRegistry()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "tc/busybox:pulled");
        var image = $"{registry.Host}/tc/busybox:pulled";
        await using (var container = fixture.Container()
            .WithImage(image)
            .WithImagePullPolicy(DotNet.Testcontainers.Images.PullPolicy.Always)
            .WithName(TestcontainersDaemonFixture.NewName("tc-pull"))
            .WithCommand("echo", "pulled")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("pulled", wait => wait.WithMode(WaitStrategyMode.OneShot)))
            .Build())
        {
            await container.StartAsync(ct);
            Assert.Equal(0L, await container.GetExitCodeAsync(ct));
        }
        var pulled = await fixture.GetJsonAsync($"images/{image}/json");
        Assert.Contains(image, pulled.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.True((await fixture.Http.DeleteAsync($"images/{image}", ct)).IsSuccessStatusCode);
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task ReadsTheLogSinceATime()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        await using (var container = fixture.Container()
            .WithName(TestcontainersDaemonFixture.NewName("tc-since"))
            .WithCommand("sh", "-c", "trap 'exit 0' TERM; echo early; sleep 2; echo late; sleep 300 & wait")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("late"))
            .Build())
        {
            await container.StartAsync(ct);
            var (stamped, _) = await container.GetLogsAsync(ct: ct);
            var lines = stamped.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["early", "late"], lines.Select(l => l.Split(' ', 2)[1]));
            var lateAt = DateTime.Parse(lines[1].Split(' ')[0], null, System.Globalization.DateTimeStyles.AdjustToUniversal);

            // Testcontainers sends whole seconds: the second "late" was written in is still 2 s after "early".
            Assert.Equal(("late\n", ""), await container.GetLogsAsync(since: lateAt, timestampsEnabled: false, ct: ct));
            Assert.Equal(("early\n", ""), await container.GetLogsAsync(until: lateAt.AddSeconds(-1), timestampsEnabled: false, ct: ct));
        }
        await fixture.AssertNothingLeftAsync();
    }

    [Fact]
    public async Task AReusableContainerIsFoundByItsLabelsTheSecondTime()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var name = TestcontainersDaemonFixture.NewName("tc-reuse");
        ContainerBuilder Reusable() => fixture.Container().WithName(name).WithReuse(true).WithCommand("sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait");
        var first = Reusable().Build();
        try
        {
            await first.StartAsync(ct);
            await using var second = Reusable().Build();
            await second.StartAsync(ct);
            Assert.Equal(first.Id, second.Id);
        }
        finally
        {
            await first.DisposeAsync();
            await fixture.Http.DeleteAsync($"containers/{name}?force=1", CancellationToken.None);
        }
        await fixture.AssertNothingLeftAsync();
    }
}
