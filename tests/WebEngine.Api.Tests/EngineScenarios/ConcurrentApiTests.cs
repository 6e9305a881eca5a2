using System.Net;
using System.Text.Json;
using WebEngine.Api.Tests.Containers;

namespace WebEngine.Api.Tests.EngineScenarios;

/// <summary>
/// 100 Docker API calls at once on 50 containers of the real daemon: no call fails, no update is lost (final states,
/// names and resources are what was asked) and each container's events say exactly what happened to it.
/// </summary>
public sealed class ConcurrentApiTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    private const int Containers = 50;

    /// <summary>
    /// Two calls per container, by container number modulo 5; the state, name and CpuShares they leave; the events they
    /// add besides "kill" (a stop sends one per signal: SIGTERM, then SIGKILL if sleep ignored it).
    /// </summary>
    private static readonly (string[] Calls, string Status, bool Renamed, int CpuShares, string[] Events)[] Plans =
    [
        (["stop", "rename"], "exited", true, 0, ["die", "stop", "rename"]),
        (["restart", "update"], "running", false, 512, ["die", "stop", "start", "restart", "update"]),
        (["pause", "inspect"], "paused", false, 0, ["pause"]),
        (["rename", "update"], "running", true, 512, ["rename", "update"]),
        (["start", "rename"], "running", true, 0, ["start", "rename"]),
    ];

    [Fact]
    public async Task HundredConcurrentCallsOnFiftyContainers()
    {
        var prefix = BusyboxDaemonFixture.NewName("cc");
        var ids = new string[Containers];
        await Parallel.ForAsync(0, Containers, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            ids[i] = await CreateAsync($"{prefix}-{i}");
            // Plan 4 starts its containers itself.
            if (i % Plans.Length != 4)
                await SendOkAsync(HttpMethod.Post, $"containers/{ids[i]}/start");
        });
        var since = await ServerTimeAsync();

        var calls = Enumerable.Range(0, Containers)
            .SelectMany(i => Plans[i % Plans.Length].Calls.Select(call => (Index: i, Call: call)))
            .ToList();
        Assert.Equal(100, calls.Count);
        using var go = new ManualResetEventSlim();
        var running = calls.Select(c => Task.Run(async () =>
        {
            go.Wait();
            await CallAsync(ids[c.Index], $"{prefix}-{c.Index}", c.Call);
        })).ToList();
        go.Set();
        await Task.WhenAll(running);
        var until = await ServerTimeAsync();

        var events = await EventsAsync(since, until);
        for (var i = 0; i < Containers; i++)
        {
            var plan = Plans[i % Plans.Length];
            var inspect = await fixture.InspectAsync(ids[i]);
            var what = $"container {i} ({string.Join('+', plan.Calls)})";
            Assert.Equal((plan.Status, plan.Renamed ? $"/{prefix}-{i}-new" : $"/{prefix}-{i}", plan.CpuShares),
                (inspect.GetProperty("State").GetProperty("Status").GetString(), inspect.GetProperty("Name").GetString(),
                    inspect.GetProperty("HostConfig").GetProperty("CpuShares").GetInt32()));
            var actions = events.Where(e => e.Id == ids[i]).Select(e => e.Action).ToList();
            var killed = plan.Events.Contains("die");
            Assert.True(plan.Events.Order(StringComparer.Ordinal).SequenceEqual(actions.Where(a => a != "kill").Order(StringComparer.Ordinal))
                        && actions.Count(a => a == "kill") is var kills && (killed ? kills is 1 or 2 : kills == 0),
                $"{what}: events {string.Join(", ", actions)}");
        }
        await fixture.DockerOkAsync(["rm", "-f", .. ids]);
    }

    private async Task CallAsync(string id, string name, string call)
    {
        switch (call)
        {
            case "stop":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/stop?t=1");
                break;
            case "restart":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/restart?t=1");
                break;
            case "start":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/start");
                break;
            case "pause":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/pause");
                break;
            case "rename":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/rename?name={name}-new");
                break;
            case "update":
                await SendOkAsync(HttpMethod.Post, $"containers/{id}/update", """{"CpuShares":512}""");
                break;
            case "inspect":
                await SendOkAsync(HttpMethod.Get, $"containers/{id}/json");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    private async Task<string> CreateAsync(string name)
    {
        var body = await SendOkAsync(HttpMethod.Post, $"containers/create?name={name}",
            """{"Image":"busybox","Cmd":["sleep","1000"],"HostConfig":{"NetworkMode":"none"}}""");
        return JsonDocument.Parse(body).RootElement.GetProperty("Id").GetString()!;
    }

    private async Task<string> SendOkAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified,
            $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text;
    }

    /// <summary>The daemon's clock (events are stamped by it), in Unix seconds with nanoseconds as /events takes them.</summary>
    private async Task<string> ServerTimeAsync()
    {
        using var document = JsonDocument.Parse(await fixture.Http.GetStringAsync("info"));
        var time = DateTimeOffset.Parse(document.RootElement.GetProperty("SystemTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}";
    }

    private async Task<List<(string Id, string Action)>> EventsAsync(string since, string until)
    {
        var text = await fixture.Http.GetStringAsync($"events?since={since}&until={until}&filters=" + Uri.EscapeDataString("""{"type":["container"]}"""));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e.GetProperty("Actor").GetProperty("ID").GetString()!, e.GetProperty("Action").GetString()!))
            .ToList();
    }
}
