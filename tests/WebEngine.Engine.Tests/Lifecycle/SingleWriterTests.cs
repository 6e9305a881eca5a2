using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Registries;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Images.Registry;
using WebEngine.Engine.Lifecycle;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>
/// Every write to SQLite takes its turn (Microsoft.Data.Sqlite sleeps 150 ms when a write meets another): image,
/// volume and registry-login writes wait for the event log's commits as container and network writes do.
/// </summary>
public sealed class SingleWriterTests
{
    /// <summary>
    /// While the event log holds the database between two commits, image tags and untags, volumes and registry logins
    /// must not reach SQLite; they do once it lets go. (Before, images and logins saved at once, so they could meet a
    /// container's commit.)
    /// </summary>
    [Fact]
    public async Task NoWriteReachesTheDatabaseWhileTheEventLogHoldsItBetweenCommits()
    {
        await using var engine = await EngineFixture.StartAsync();
        var logins = new RegistryCredentialStore(engine.Database, engine.Options.DataRoot);
        await engine.Images.TagAsync("busybox", "example.com/held:old", EngineFixture.Timeout());
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = engine.Events.ReadBetweenCommitsAsync(async () =>
        {
            held.SetResult();
            await release.Task;
            return 0;
        }, EngineFixture.Timeout());
        await held.Task;
        (bool, bool, bool, bool) seenWhileHeld;
        Task[] writes = [];
        try
        {
            writes =
            [
                engine.Images.TagAsync("busybox", "example.com/held:new", EngineFixture.Timeout()),
                engine.Images.RemoveAsync("example.com/held:old", force: false, EngineFixture.Timeout()),
                engine.Volumes.CreateAsync("held", null, null, EngineFixture.Timeout()),
                logins.SaveAsync("registry.example.com", "user", "secret", EngineFixture.Timeout()),
            ];
            // Long enough for a write that does not wait its turn to commit; one that waits never gets there.
            await Task.WhenAny(Task.WhenAll(writes), Task.Delay(TimeSpan.FromMilliseconds(500)));
            seenWhileHeld = await StateAsync(engine, logins);
        }
        finally
        {
            release.SetResult();
            await holder;
        }
        await Task.WhenAll(writes);

        Assert.Equal((false, true, false, false), seenWhileHeld);
        Assert.Equal((true, false, true, true), await StateAsync(engine, logins));
    }

    /// <summary>A write statement outside a turn fails at once (SaveChanges, ExecuteDelete); in its turn it runs; a turn inside a turn is refused.</summary>
    [Fact]
    public async Task AWriteOutsideItsTurnIsRefused()
    {
        using var root = new TempDirectory("we-db");
        var database = WebEngineDatabase.Open(root.Combine("webengine.db"));
        try
        {
            await using var db = database.CreateContext();
            db.RegistryCredentials.Add(new RegistryCredentialRecord { Registry = "example.com", Username = "u", ProtectedSecret = [1], UpdatedUtc = DateTime.UtcNow });
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.IsType<InvalidOperationException>(refused.InnerException);
            Assert.Equal(1, await database.SaveChangesAsync(db, EngineFixture.Timeout()));
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.RegistryCredentials.ExecuteDeleteAsync());
            Assert.Equal(1, await database.WriteAsync(() => db.RegistryCredentials.ExecuteDeleteAsync(), EngineFixture.Timeout()));
            await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync(() => database.WriteAsync(() => Task.FromResult(0), EngineFixture.Timeout()),
                EngineFixture.Timeout()));
            // Reads need no turn.
            Assert.Empty(await db.RegistryCredentials.AsNoTracking().ToListAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>Container creates, image tags, volume creates and registry logins all at once: every one succeeds and is stored.</summary>
    [Fact]
    public async Task ConcurrentWritesOfEveryKindAllLand()
    {
        await using var engine = await EngineFixture.StartAsync();
        var logins = new RegistryCredentialStore(engine.Database, engine.Options.DataRoot);
        const int each = 8;
        var creates = Enumerable.Range(0, each).Select(i => Task.Run(() => engine.Containers.CreateAsync(
            new ContainerCreateRequest(new ContainerConfig { Image = "busybox", Cmd = ["true"] }, new HostConfig(), $"writer{i}"), EngineFixture.Timeout()))).ToList();
        var others = Enumerable.Range(0, each).SelectMany(i => new[]
        {
            Task.Run(() => engine.Images.TagAsync("busybox", $"example.com/writer:{i}", EngineFixture.Timeout())),
            Task.Run(() => engine.Volumes.CreateAsync($"writer{i}", null, null, EngineFixture.Timeout())),
            Task.Run(() => logins.SaveAsync($"r{i}.example.com", $"user{i}", "secret", EngineFixture.Timeout())),
        }).ToList();
        await Task.WhenAll([.. creates, .. others]);

        for (var i = 0; i < each; i++)
        {
            Assert.Equal($"/writer{i}", (await engine.Containers.InspectAsync($"writer{i}", EngineFixture.Timeout())).Name);
            Assert.Contains($"example.com/writer:{i}", (await engine.Images.InspectAsync("busybox", EngineFixture.Timeout())).RepoTags);
            Assert.Equal($"writer{i}", (await engine.Volumes.InspectAsync($"writer{i}", EngineFixture.Timeout())).Name);
            Assert.Equal($"user{i}", (await logins.GetAsync($"r{i}.example.com", EngineFixture.Timeout()))?.Username);
        }
    }

    private static async Task<(bool NewTag, bool OldTag, bool Volume, bool Login)> StateAsync(EngineFixture engine, RegistryCredentialStore logins)
    {
        var tags = (await engine.Images.InspectAsync("busybox", EngineFixture.Timeout())).RepoTags;
        var volumes = await engine.Volumes.ListAsync(null, EngineFixture.Timeout());
        return (tags.Contains("example.com/held:new"), tags.Contains("example.com/held:old"), volumes.Any(v => v.Name == "held"),
            await logins.GetAsync("registry.example.com", EngineFixture.Timeout()) is not null);
    }
}
