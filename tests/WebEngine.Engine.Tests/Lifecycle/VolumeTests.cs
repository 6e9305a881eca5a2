using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>Named and anonymous volumes: filled from the image on first use, shared, kept or removed with the container.</summary>
public sealed class VolumeTests
{
    [Fact]
    public async Task VolumesAreFilledFromTheImageSharedAndRemovedWithTheirContainer()
    {
        await using var engine = await EngineFixture.StartAsync();
        var writer = await ContainerLifecycleTests.CreateAsync(engine, "true",
            host: new HostConfig { Binds = ["etcvol:/etc", "shared:/shared"] }, config: new ContainerConfig { Volumes = new HashSet<string> { "/anon" } });
        var etc = await engine.Volumes.InspectAsync("etcvol", EngineFixture.Timeout());
        Assert.True(File.Exists(Path.Combine(etc.Mountpoint, "passwd")), "the image's /etc was copied into the new volume");
        var mounts = (await engine.Containers.InspectAsync(writer.Id, EngineFixture.Timeout())).Mounts;
        var anonymous = Assert.Single(mounts, m => m.Anonymous);
        Assert.Equal(("volume", "/anon"), (anonymous.Type, anonymous.Destination));

        var created = await ContainerLifecycleTests.CreateAsync(engine, "echo data > /shared/file", host: new HostConfig { Binds = ["shared:/shared"] });
        await engine.Containers.StartAsync(created.Id, EngineFixture.Timeout());
        Assert.Equal(0, (await engine.Containers.WaitAsync(created.Id, WaitCondition.NotRunning, EngineFixture.Timeout())).ExitCode);
        var reader = await ContainerLifecycleTests.CreateAsync(engine, "cat /s/file", host: new HostConfig { Binds = ["shared:/s:ro"] });
        await engine.Containers.StartAsync(reader.Id, EngineFixture.Timeout());
        await engine.Containers.WaitAsync(reader.Id, WaitCondition.NotRunning, EngineFixture.Timeout());
        Assert.Equal("data\n", await engine.LogTextAsync(reader.Id));

        await Assert.ThrowsAsync<ConflictException>(() => engine.Volumes.RemoveAsync("shared", force: false, EngineFixture.Timeout()));
        await engine.Containers.RemoveAsync(writer.Id, force: false, removeVolumes: true, EngineFixture.Timeout());
        Assert.DoesNotContain(await engine.Volumes.ListAsync(null, EngineFixture.Timeout()), v => v.Name == anonymous.Name);
        Assert.False(Directory.Exists(Path.GetDirectoryName(anonymous.Source)));
        Assert.Contains(await engine.Volumes.ListAsync(null, EngineFixture.Timeout()), v => v.Name == "etcvol");

        var dangling = await engine.Volumes.ListAsync(new Dictionary<string, IReadOnlyList<string>> { ["dangling"] = ["true"] }, EngineFixture.Timeout());
        Assert.Equal(["etcvol"], dangling.Select(v => v.Name));
        Assert.Empty((await engine.Volumes.PruneAsync(all: false, [], EngineFixture.Timeout())).VolumesDeleted);
        Assert.Equal(["etcvol"], (await engine.Volumes.PruneAsync(all: true, [], EngineFixture.Timeout())).VolumesDeleted);
        var named = await engine.Volumes.CreateAsync("made", new Dictionary<string, string> { ["k"] = "v" }, null, EngineFixture.Timeout());
        Assert.Equal("v", named.Labels["k"]);
        await engine.Volumes.RemoveAsync("made", force: false, EngineFixture.Timeout());
        await Assert.ThrowsAsync<NotFoundException>(() => engine.Volumes.InspectAsync("made", EngineFixture.Timeout()));
    }
}
