using Microsoft.EntityFrameworkCore;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>
/// docker ps and the lookups read the rows the store keeps in memory: after every kind of change (and after a new
/// engine took over) they must say what the containers table says.
/// </summary>
public sealed class ContainerListTests
{
    [Fact]
    public async Task ListFollowsCreateRenameStateChangesAndRemove()
    {
        await using var engine = await EngineFixture.StartAsync();
        var web = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: "web", config: new ContainerConfig { Labels = new Dictionary<string, string> { ["tier"] = "front" } });
        var job = await ContainerLifecycleTests.CreateAsync(engine, "exit 7", name: "job");
        await AssertMatchesTableAsync(engine);
        Assert.Empty(await ListAsync(engine));
        Assert.Equal(["job", "web"], (await ListAsync(engine, all: true)).Select(Name).Order());

        await engine.Containers.StartAsync("web", EngineFixture.Timeout());
        var exited = await engine.Containers.BeginWaitAsync(job.Id, WaitCondition.NextExit, EngineFixture.Timeout());
        await engine.Containers.StartAsync(job.Id, EngineFixture.Timeout());
        await exited.Result.WaitAsync(EngineFixture.Timeout());
        await AssertMatchesTableAsync(engine);
        var running = Assert.Single(await ListAsync(engine));
        Assert.Equal(("web", "running"), (Name(running), running.State));
        Assert.StartsWith("Up ", running.Status);

        await engine.Containers.RenameAsync(web.Id, "api", EngineFixture.Timeout());
        Assert.Equal("api", Name(Assert.Single(await ListAsync(engine))));
        Assert.Equal(web.Id, (await engine.Containers.InspectAsync("api", EngineFixture.Timeout())).Id);
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.InspectAsync("web", EngineFixture.Timeout()));
        await AssertMatchesTableAsync(engine);

        await engine.Containers.PauseAsync("api", EngineFixture.Timeout());
        Assert.Equal("paused", Assert.Single(await ListAsync(engine)).State);
        Assert.Equal([web.Id], (await ListAsync(engine, ("status", "paused"))).Select(s => s.Id));
        await engine.Containers.UnpauseAsync("api", EngineFixture.Timeout());
        Assert.Equal("running", Assert.Single(await ListAsync(engine)).State);

        // Each filter the engine applies, on the rows as they are now.
        Assert.Equal([job.Id], (await ListAsync(engine, ("status", "exited"))).Select(s => s.Id));
        Assert.Equal([job.Id], (await ListAsync(engine, ("exited", "7"))).Select(s => s.Id));
        Assert.Empty(await ListAsync(engine, ("exited", "0")));
        Assert.Equal([web.Id], (await ListAsync(engine, ("name", "^/ap"))).Select(s => s.Id));
        Assert.Equal([job.Id], (await ListAsync(engine, ("id", job.Id[..10]), all: true)).Select(s => s.Id));
        Assert.Equal([web.Id], (await ListAsync(engine, ("label", "tier=front"), all: true)).Select(s => s.Id));
        Assert.Empty(await ListAsync(engine, ("label", "tier=back"), all: true));
        Assert.Equal(2, (await ListAsync(engine, ("ancestor", "busybox"), all: true)).Count);

        Assert.True(await engine.Containers.StopAsync("api", timeoutSeconds: 1, signal: null, EngineFixture.Timeout()));
        Assert.Empty(await ListAsync(engine));
        Assert.Equal([web.Id], (await ListAsync(engine, ("exited", "137"))).Select(s => s.Id));
        await AssertMatchesTableAsync(engine);

        await engine.Containers.RemoveAsync(job.Id, force: false, removeVolumes: false, EngineFixture.Timeout());
        Assert.Equal(["api"], (await ListAsync(engine, all: true)).Select(Name));
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Containers.InspectAsync(job.Id[..12], EngineFixture.Timeout()));
        await AssertMatchesTableAsync(engine);
    }

    [Fact]
    public async Task ANewEngineListsWhatTheLastOneLeftAndWhatReconcilingFound()
    {
        await using var engine = await EngineFixture.StartAsync();
        var keeps = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: "keeps");
        var dies = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: "dies");
        await ContainerLifecycleTests.CreateAsync(engine, "true", name: "fresh");
        await engine.Containers.StartAsync(keeps.Id, EngineFixture.Timeout());
        await engine.Containers.StartAsync(dies.Id, EngineFixture.Timeout());
        var diesPid = (await engine.Containers.InspectAsync(dies.Id, EngineFixture.Timeout())).State.Pid;
        Assert.Equal(["dies", "keeps"], (await ListAsync(engine)).Select(Name).Order());

        await engine.RestartEngineAsync(async () =>
        {
            System.Diagnostics.Process.GetProcessById(diesPid).Kill();
            await EngineFixture.EventuallyAsync(() => Task.FromResult(ContainerLifecycleTests.ProcessState(diesPid) is '\0' or 'Z'), "the process is gone");
        });

        Assert.Equal(["keeps"], (await ListAsync(engine)).Select(Name));
        Assert.Equal(("dies", "exited"), (await ListAsync(engine, ("exited", "137"))).Select(s => (Name(s), s.State)).Single());
        Assert.Equal(["dies", "fresh", "keeps"], (await ListAsync(engine, all: true)).Select(Name).Order());
        await AssertMatchesTableAsync(engine);

        // The new engine's own changes show too.
        await engine.Containers.RemoveAsync("fresh", force: false, removeVolumes: false, EngineFixture.Timeout());
        await engine.Containers.RenameAsync("dies", "died", EngineFixture.Timeout());
        Assert.Equal(["died", "keeps"], (await ListAsync(engine, all: true)).Select(Name).Order());
        await AssertMatchesTableAsync(engine);
    }

    [Fact]
    public async Task ListShowsEachChangeOfNetworksAndPorts()
    {
        await using var engine = await EngineFixture.StartAsync();
        await engine.Containers.Networks.CreateAsync(new NetworkCreateRequest { Name = "app" }, EngineFixture.Timeout());
        var web = await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: "web", host: new HostConfig
        {
            NetworkMode = "app",
            PortBindings = new Dictionary<string, IReadOnlyList<PortBinding>> { ["80/tcp"] = [new PortBinding()] },
        });
        Assert.Equal(("app", ""), Network(await ListedAsync(engine, web.Id)));
        Assert.Empty((await ListedAsync(engine, web.Id)).Ports);

        await engine.Containers.StartAsync(web.Id, EngineFixture.Timeout());
        var running = await ListedAsync(engine, web.Id);
        Assert.NotEqual("", Network(running).Address);
        Assert.True(running.Ports.Single() is { PrivatePort: 80, PublicPort: > 0 }, $"ports: {string.Join(", ", running.Ports)}");
        await AssertListedAsInspectedAsync(engine, web.Id);

        await engine.Containers.Networks.CreateAsync(new NetworkCreateRequest { Name = "extra" }, EngineFixture.Timeout());
        await engine.Containers.ConnectNetworkAsync("extra", web.Id, new EndpointConfig(), EngineFixture.Timeout());
        Assert.Equal(["app", "extra"], (await ListedAsync(engine, web.Id)).Networks.Keys.Order());
        await AssertListedAsInspectedAsync(engine, web.Id);
        await engine.Containers.DisconnectNetworkAsync("extra", web.Id, EngineFixture.Timeout());
        Assert.Equal(["app"], (await ListedAsync(engine, web.Id)).Networks.Keys);

        Assert.True(await engine.Containers.StopAsync(web.Id, timeoutSeconds: 1, signal: null, EngineFixture.Timeout()));
        var stopped = await ListedAsync(engine, web.Id);
        Assert.Equal(("app", ""), Network(stopped));
        Assert.Empty(stopped.Ports);
        await AssertListedAsInspectedAsync(engine, web.Id);
    }

    [Fact]
    public async Task ConcurrentCreatesRenamesStartsAndRemovesLeaveTheListEqualToTheTable()
    {
        await using var engine = await EngineFixture.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
            ids.Add((await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: $"c{i}")).Id);

        // While lists run: new containers, renames and starts of some, removals of others (an auto-removed run among them).
        using var listing = new CancellationTokenSource();
        var lists = Task.Run(async () =>
        {
            var count = 0;
            while (!listing.IsCancellationRequested)
            {
                await ListAsync(engine, all: true);
                count++;
            }
            return count;
        });
        var calls = new List<Task>();
        for (var i = 0; i < 12; i++)
        {
            var (id, n) = (ids[i], i);
            calls.Add(Task.Run(() => (n % 3) switch
            {
                0 => engine.Containers.RenameAsync(id, $"renamed{n}", EngineFixture.Timeout()),
                1 => engine.Containers.StartAsync(id, EngineFixture.Timeout(600)),
                _ => engine.Containers.RemoveAsync(id, force: true, removeVolumes: false, EngineFixture.Timeout()),
            }));
            calls.Add(Task.Run(() => ContainerLifecycleTests.CreateAsync(engine, "true", name: $"new{n}")));
        }
        var autoRemoved = await ContainerLifecycleTests.CreateAsync(engine, "exit 0", host: new HostConfig { AutoRemove = true });
        var removed = await engine.Containers.BeginWaitAsync(autoRemoved.Id, WaitCondition.Removed, EngineFixture.Timeout());
        await engine.Containers.StartAsync(autoRemoved.Id, EngineFixture.Timeout());
        await Task.WhenAll(calls);
        await removed.Result.WaitAsync(EngineFixture.Timeout());
        await listing.CancelAsync();
        Assert.True(await lists > 0);

        var names = (await ListAsync(engine, all: true)).Select(Name).ToHashSet();
        for (var i = 0; i < 12; i++)
        {
            Assert.Contains($"new{i}", names);
            Assert.Equal((i % 3 == 0, i % 3 == 1), (names.Contains($"renamed{i}"), names.Contains($"c{i}")));
        }
        Assert.Equal(4, (await ListAsync(engine)).Count);
        Assert.DoesNotContain(autoRemoved.Id, (await ListAsync(engine, all: true)).Select(s => s.Id));
        await AssertMatchesTableAsync(engine);
    }

    private static async Task<IReadOnlyList<ContainerSummary>> ListAsync(EngineFixture engine, (string Key, string Value)? filter = null, bool all = false) =>
        await engine.Containers.ListAsync(new ContainerListOptions
        {
            All = all,
            Filters = filter is { } f ? new Dictionary<string, IReadOnlyList<string>> { [f.Key] = [f.Value] } : new Dictionary<string, IReadOnlyList<string>>(),
        }, EngineFixture.Timeout());

    private static async Task<ContainerSummary> ListedAsync(EngineFixture engine, string id) =>
        (await ListAsync(engine, all: true)).Single(s => s.Id == id);

    private static (string Name, string Address) Network(ContainerSummary summary) =>
        summary.Networks.Select(n => (n.Key, n.Value.IPAddress)).Single();

    /// <summary>ps's networks and published ports are inspect's (which reads the tables each time).</summary>
    private static async Task AssertListedAsInspectedAsync(EngineFixture engine, string id)
    {
        var listed = await ListedAsync(engine, id);
        var inspected = (await engine.Containers.InspectAsync(id, EngineFixture.Timeout())).NetworkSettings;
        Assert.Equal(inspected.Networks.OrderBy(n => n.Key).Select(n => (n.Key, n.Value.IPAddress, n.Value.EndpointID)),
            listed.Networks.OrderBy(n => n.Key).Select(n => (n.Key, n.Value.IPAddress, n.Value.EndpointID)));
        Assert.Equal(inspected.Ports.Where(p => p.Value is not null).SelectMany(p => p.Value!.Select(b => (p.Key, b.HostPort))).Order(),
            listed.Ports.Select(p => ($"{p.PrivatePort}/{p.Type}", p.PublicPort?.ToString() ?? "")).Order());
    }

    private static string Name(ContainerSummary summary) => summary.Names.Single().TrimStart('/');

    /// <summary>Every row of the table is listed with its name, state and image, and nothing else is.</summary>
    private static async Task AssertMatchesTableAsync(EngineFixture engine)
    {
        await using var db = engine.Database.CreateContext();
        var rows = await db.Set<ContainerRecord>().AsNoTracking().ToListAsync();
        var expected = rows.OrderByDescending(r => r.CreatedUtc)
            .Select(r => (r.Id, "/" + r.Name, ContainerStatusNames.ToDocker(ContainerStore.Status(r)), r.ImageId)).ToList();
        var listed = (await ListAsync(engine, all: true)).Select(s => (s.Id, s.Names.Single(), s.State, s.ImageId)).ToList();
        Assert.Equal(expected, listed);
        foreach (var row in rows)
        {
            var found = await engine.Containers.Store.GetAsync(row.Name, EngineFixture.Timeout());
            Assert.Equal((row.Id, row.Version, row.Status, row.Pid, row.ExitCode), (found.Id, found.Version, found.Status, found.Pid, found.ExitCode));
        }
    }
}
