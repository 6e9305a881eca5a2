using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Tests.Lifecycle;

/// <summary>A refused create leaves nothing: no row, no directory, no mount, no volume, no event.</summary>
public sealed class CreateValidationTests
{
    public static TheoryData<string> BadRequests => new()
    {
        "unknown image", "bad name", "relative mount target", "missing bind source", "negative memory", "unknown capability", "unknown runtime",
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadCreateIsRefusedAndLeavesNothing(string problem)
    {
        await using var engine = await EngineFixture.StartAsync();
        var config = new ContainerConfig { Image = "busybox", Cmd = ["true"], Volumes = new HashSet<string> { "/anonymous" } };
        var host = new HostConfig { Binds = ["named-volume:/named"] };
        string? name = null;
        string? runtime = null;
        switch (problem)
        {
            case "unknown image": config = config with { Image = "nosuchimage:1.0" }; break;
            case "bad name": name = "bad name!"; break;
            case "relative mount target": host = host with { Binds = ["named-volume:relative"] }; break;
            case "missing bind source":
                host = host with { Mounts = [new MountSpec { Type = MountType.Bind, Source = "/nonexistent/source", Target = "/data" }] };
                break;
            case "negative memory": host = host with { Memory = -1 }; break;
            case "unknown capability": host = host with { CapAdd = ["CAP_NOT_A_THING"] }; break;
            case "unknown runtime": runtime = "nosuchruntime"; break;
        }

        var error = await Assert.ThrowsAnyAsync<EngineException>(() =>
            engine.Containers.CreateAsync(new ContainerCreateRequest(config, host, name) { Runtime = runtime }, EngineFixture.Timeout()));
        if (problem == "unknown image")
        {
            Assert.IsType<NotFoundException>(error);
            Assert.Equal("No such image: nosuchimage:1.0", error.Message);
        }
        else
        {
            Assert.IsType<InvalidArgumentException>(error);
        }
        Assert.Empty(await engine.Containers.ListAsync(new ContainerListOptions { All = true }, EngineFixture.Timeout()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(engine.Options.ContainersDirectory));
        Assert.Empty(engine.MountsBelowDataRoot());
        Assert.Empty(await engine.Volumes.ListAsync(null, EngineFixture.Timeout()));
        Assert.Empty(Directory.EnumerateFileSystemEntries(engine.Options.VolumesDirectory));
        Assert.Empty(await engine.Events.ListAsync(Events.EventFilter.All, null, null, EngineFixture.Timeout()));
    }

    [Fact]
    public async Task NameConflictIsRefusedWithDockersMessage()
    {
        await using var engine = await EngineFixture.StartAsync();
        var first = await ContainerLifecycleTests.CreateAsync(engine, "true", name: "taken");
        var error = await Assert.ThrowsAsync<ConflictException>(() => ContainerLifecycleTests.CreateAsync(engine, "true", name: "/taken"));
        Assert.Equal($"Conflict. The container name \"/taken\" is already in use by container \"{first.Id}\". You have to remove (or rename) that container to be able to reuse that name.", error.Message);
        Assert.Single(Directory.EnumerateDirectories(engine.Options.ContainersDirectory));
        var second = await ContainerLifecycleTests.CreateAsync(engine, "true");
        await Assert.ThrowsAsync<ConflictException>(() => engine.Containers.RenameAsync(second.Id, "taken", EngineFixture.Timeout()));
        var generated = (await engine.Containers.InspectAsync(second.Id, EngineFixture.Timeout())).Name;
        Assert.Matches("^/[a-z]+_[a-z]+[0-9]*$", generated);
    }
}
