using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using WebEngine.Api.Hubs;
using WebEngine.Api.Tests.Auth;

namespace WebEngine.Api.Tests.Hubs;

/// <summary>The SignalR hubs with the .NET client against the real daemon's HTTP listener, as a viewer with an API token.</summary>
[Collection(HttpListenerCollection.Name)]
public sealed class HubTests(HttpListenerFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheLogsHubFollowsARunningContainersOutput()
    {
        var name = HttpListenerFixture.NewName("logs");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            "echo to-stderr >&2; i=0; while true; do echo line$i; i=$((i+1)); sleep 0.2; done");
        await using var connection = await ConnectAsync("logs", fixture.ViewerToken);
        using var timeout = new CancellationTokenSource(Patience);

        var seen = new List<LogMessage>();
        await foreach (var entry in connection.StreamAsync<LogMessage>("Stream", name, new LogsQuery { Follow = true }, timeout.Token))
        {
            seen.Add(entry);
            if (seen.Count(e => e.Stream == "stdout") >= 8)
                break;
        }
        Assert.Contains(seen, e => e.Stream == "stderr" && e.Text == "to-stderr");
        var lines = seen.Where(e => e.Stream == "stdout").Select(e => e.Text).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"line{i}"), lines);
        Assert.All(seen, e => Assert.False(e.Partial));
        Assert.All(seen, e => Assert.InRange(e.Time, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(1)));

        // Tail without follow: the last entries, then the stream ends by itself.
        var tail = new List<LogMessage>();
        await foreach (var entry in connection.StreamAsync<LogMessage>("Stream", name, new LogsQuery { Tail = 2, Stderr = false }, timeout.Token))
            tail.Add(entry);
        Assert.Equal(2, tail.Count);
        Assert.All(tail, e => Assert.StartsWith("line", e.Text));
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task TheLogsHubReportsAnUnknownContainer()
    {
        await using var connection = await ConnectAsync("logs", fixture.ViewerToken);
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in connection.StreamAsync<LogMessage>("Stream", "nosuchcontainer", new LogsQuery()))
            {
            }
        });
        Assert.Contains("No such container: nosuchcontainer", error.Message);
    }

    [Fact]
    public async Task TheEventsHubDeliversOnlyTheFilteredLiveEvents()
    {
        var other = HttpListenerFixture.NewName("other");
        var target = HttpListenerFixture.NewName("target");
        await fixture.DockerOkAsync("create", "--name", other, "busybox", "sleep", "300");
        var targetId = await fixture.DockerOkAsync("create", "--name", target, "--label", "role=target", "busybox", "sleep", "300");

        await using var connection = await ConnectAsync("events", fixture.ViewerToken);
        using var timeout = new CancellationTokenSource(Patience);
        var filters = new Dictionary<string, List<string>> { ["type"] = ["container"], ["event"] = ["start"], ["label"] = ["role=target"] };
        var stream = connection.StreamAsync<DockerEventMessage>("Stream", filters, (long?)null, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = stream.MoveNextAsync().AsTask();
        // The server subscribes a moment after the stream is requested, and live events from before that are not
        // sent: repeat the scene until the subscription has seen it.
        for (var attempt = 0; attempt < 6 && !next.IsCompleted; attempt++)
        {
            await fixture.DockerOkAsync("start", other);
            await fixture.DockerOkAsync("stop", "-t", "1", other);
            await fixture.DockerOkAsync("start", target);
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(3)));
            if (!next.IsCompleted)
                await fixture.DockerOkAsync("stop", "-t", "1", target);
        }
        Assert.True(await next);
        var e = stream.Current;
        Assert.Equal(("container", "start", targetId), (e.Type, e.Action, e.Actor.Id));
        Assert.Equal(target, e.Actor.Attributes["name"]);
        Assert.Equal("target", e.Actor.Attributes["role"]);
        Assert.Equal(("start", targetId, "local"), (e.Status, e.Id, e.Scope));
        Assert.Equal(e.TimeNano / 1_000_000_000, e.Time);
        await stream.DisposeAsync();
        await fixture.DockerOkAsync("rm", "-f", other, target);
    }

    [Fact]
    public async Task TheEventsHubRefusesAnUnknownFilter()
    {
        await using var connection = await ConnectAsync("events", fixture.ViewerToken);
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in connection.StreamAsync<DockerEventMessage>("Stream", new Dictionary<string, List<string>> { ["colour"] = ["red"] }, (long?)null))
            {
            }
        });
        Assert.Contains("invalid filter 'colour'", error.Message);
    }

    [Fact]
    public async Task TheStatsHubStreamsSamplesUntilTheContainerStops()
    {
        var name = HttpListenerFixture.NewName("stats");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "while true; do :; done");
        await using var connection = await ConnectAsync("stats", fixture.ViewerToken);
        using var timeout = new CancellationTokenSource(Patience);

        var samples = new List<StatsMessage>();
        await foreach (var sample in connection.StreamAsync<StatsMessage>("Stream", name, timeout.Token))
        {
            samples.Add(sample);
            if (samples.Count == 3)
                break;
        }
        Assert.All(samples, s => Assert.True(s.MemoryUsage > 0 && s.MemoryLimit >= s.MemoryUsage && s.Pids >= 1, $"{s}"));
        Assert.True(samples[1].Read > samples[0].Read);
        // A busy loop shows up as CPU use (how much depends on what else this machine runs).
        Assert.True(samples.Skip(1).Max(s => s.CpuPercent) > 1, string.Join("; ", samples));

        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in connection.StreamAsync<StatsMessage>("Stream", name, timeout.Token))
                streaming.TrySetResult();
        });
        await streaming.Task.WaitAsync(timeout.Token);
        await fixture.DockerOkAsync("kill", name);
        // The stream ends by itself once the container has stopped.
        await reading.WaitAsync(timeout.Token);
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task HubsNeedCredentials()
    {
        await using var anonymous = new HubConnectionBuilder().WithUrl(new Uri(fixture.BaseAddress, "hubs/logs")).Build();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);

        await using var revoked = await ConnectAsync("events", "wet_revokedorneverissued", start: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => revoked.StartAsync())).StatusCode);
    }

    [Fact]
    public async Task BrowsersMaySendTheTokenInTheQueryString()
    {
        using var http = fixture.Http();
        var negotiate = await http.PostAsync($"hubs/events/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(fixture.ViewerToken)}", null);
        Assert.True(negotiate.StatusCode == HttpStatusCode.OK, await negotiate.Content.ReadAsStringAsync());
        Assert.Contains("connectionToken", await negotiate.Content.ReadAsStringAsync());

        // Only for the hubs: the REST API takes the token from the Authorization header alone.
        await HttpListenerFixture.AssertErrorAsync(await http.GetAsync($"version?access_token={Uri.EscapeDataString(fixture.ViewerToken)}"),
            HttpStatusCode.Unauthorized, "authentication required");
    }

    private async Task<HubConnection> ConnectAsync(string hub, string token, bool start = true)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.BaseAddress, $"hubs/{hub}"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        if (start)
            await connection.StartAsync();
        return connection;
    }
}
