using Microsoft.EntityFrameworkCore;
using WebEngine.Data.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Operations on one container are serialized, on different containers they run in parallel, and no update is lost.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task HundredConcurrentCallsOnFiftyContainers()
    {
        await using var engine = await EngineFixture.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
            ids.Add((await ContainerLifecycleTests.CreateAsync(engine, "sleep 1000", name: $"c{i}")).Id);

        // Two calls per container at once: a rename and a start, each a read-modify-write of the same row.
        var calls = ids.Select((id, i) => (Func<Task>)(() => engine.Containers.RenameAsync(id, $"renamed{i}", EngineFixture.Timeout())))
            .Concat(ids.Select(id => (Func<Task>)(() => engine.Containers.StartAsync(id, EngineFixture.Timeout(600)))))
            .ToList();
        await Task.WhenAll(calls.Select(call => Task.Run(call)));

        await using var db = engine.Database.CreateContext();
        var rows = await db.Set<ContainerRecord>().AsNoTracking().ToListAsync();
        Assert.Equal(50, rows.Count);
        for (var i = 0; i < 50; i++)
        {
            var row = rows.Single(r => r.Id == ids[i]);
            // Both changes are there: neither overwrote the other.
            Assert.Equal(($"renamed{i}", "running"), (row.Name, row.Status));
            Assert.True(row.Pid > 0);
            Assert.Equal(["create", "rename", "start"], (await engine.ActionsAsync(ids[i])).Order().ToList());
        }
    }
}
