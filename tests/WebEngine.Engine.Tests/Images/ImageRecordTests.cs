using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

public sealed class ImageRecordTests
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";

    [Fact]
    public async Task TagUntagAndRemoveFollowDockerRules()
    {
        using var store = new ImageStoreFixture();
        await Load(store, "busybox-oci.tar");
        var images = store.Images;

        await images.TagAsync("busybox", "registry.example:5000/tools/busybox:1.35", CancellationToken.None);
        await images.TagAsync(BusyboxId[7..19], "mybox", CancellationToken.None);
        var image = await images.InspectAsync("mybox:latest", CancellationToken.None);
        Assert.Equal(["busybox:latest", "mybox:latest", "registry.example:5000/tools/busybox:1.35"], image.RepoTags);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => images.TagAsync("busybox", "Upper/Case", CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => images.TagAsync("nothere", "x", CancellationToken.None));

        // By id with several tags: refused unless forced.
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => images.RemoveAsync(BusyboxId, force: false, CancellationToken.None));
        Assert.Contains("multiple repositories", conflict.Message);

        // By name: only that tag goes while others remain.
        var removed = await images.RemoveAsync("mybox", force: false, CancellationToken.None);
        Assert.Equal([new ImageDeleteItem("mybox:latest", null)], removed);
        Assert.Equal(2, (await images.InspectAsync(BusyboxId, CancellationToken.None)).RepoTags.Count);

        await images.RemoveAsync("registry.example:5000/tools/busybox:1.35", force: false, CancellationToken.None);
        removed = await images.RemoveAsync("busybox:latest", force: false, CancellationToken.None);
        Assert.Equal([new ImageDeleteItem("busybox:latest", null), new ImageDeleteItem(null, BusyboxId)], removed);
        await Assert.ThrowsAsync<NotFoundException>(() => images.InspectAsync(BusyboxId, CancellationToken.None));
        // The last image is gone: so are its layer and its blobs.
        Assert.Empty(store.LayerDirectories());
        Assert.Empty(store.Images.Content.List());
    }

    [Fact]
    public async Task AnImageAContainerUsesIsNotRemovedOrPruned()
    {
        using var store = new ImageStoreFixture();
        await Load(store, "busybox-oci.tar");
        var images = store.Images;
        await images.PrepareRootfsAsync("user", "busybox", CancellationToken.None);
        try
        {
            var conflict = await Assert.ThrowsAsync<ConflictException>(() => images.RemoveAsync(BusyboxId, force: false, CancellationToken.None));
            Assert.Contains("being used", conflict.Message);

            // As in Docker, the last tag of an image in use goes only when forced; the image stays, dangling, and
            // prune leaves it too, with its layer.
            var lastTag = await Assert.ThrowsAsync<ConflictException>(() => images.RemoveAsync("busybox", force: false, CancellationToken.None));
            Assert.Contains("must force", lastTag.Message);
            Assert.Equal([new ImageDeleteItem("busybox:latest", null)], await images.RemoveAsync("busybox", force: true, CancellationToken.None));
            var pruned = await images.PruneDanglingAsync(CancellationToken.None);
            Assert.Empty(pruned.Deleted);
            Assert.Empty((await images.InspectAsync(BusyboxId, CancellationToken.None)).RepoTags);
            Assert.Single(store.LayerDirectories());
        }
        finally
        {
            await images.ReleaseRootfsAsync("user", CancellationToken.None);
        }
        var afterRelease = await images.PruneDanglingAsync(CancellationToken.None);
        Assert.Equal([new ImageDeleteItem(null, BusyboxId)], afterRelease.Deleted);
        Assert.True(afterRelease.SpaceReclaimed > 2_000_000);
        Assert.Empty(await images.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task EngineReportedUsageAlsoBlocksRemoval()
    {
        using var store = new ImageStoreFixture(usage: new FixedUsage(BusyboxId));
        await Load(store, "busybox-oci.tar");
        await Assert.ThrowsAsync<ConflictException>(() => store.Images.RemoveAsync(BusyboxId, force: false, CancellationToken.None));
        // Forced: the tags go, the image stays for the container that uses it.
        var removed = await store.Images.RemoveAsync(BusyboxId, force: true, CancellationToken.None);
        Assert.Equal([new ImageDeleteItem("busybox:latest", null)], removed);
        Assert.Single(await store.Images.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RecordsSurviveReopeningTheDatabaseAndPruneKeepsTaggedImages()
    {
        using var store = new ImageStoreFixture();
        await Load(store, "busybox-oci.tar");
        await Load(store, "debian-minbase-oci.tar");
        await store.Images.RemoveAsync("debian:bookworm-minbase", force: false, CancellationToken.None);

        var reopened = new ImageService(store.Options, WebEngine.Data.WebEngineDatabase.Open(Path.Combine(store.DataRoot, "webengine.db")));
        var all = await reopened.ListAsync(CancellationToken.None);
        var busybox = Assert.Single(all);
        Assert.Equal(BusyboxId, busybox.Id);
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), busybox.Created);
        var diff = reopened.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(busybox.Layers[0].ChainId));
        var regularFiles = new DirectoryInfo(diff).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.LinkTarget is null);
        Assert.Equal(regularFiles.Sum(f => f.Length), busybox.Size);
        Assert.Empty((await reopened.PruneDanglingAsync(CancellationToken.None)).Deleted);

        var history = await reopened.HistoryAsync("busybox", CancellationToken.None);
        Assert.Equal(2, history.Count);
        Assert.Equal(BusyboxId, history[0].Id);
        Assert.Equal("CMD [\"sh\"]", history[0].CreatedBy);
        Assert.Equal("<missing>", history[1].Id);
        Assert.Equal(busybox.Size, history[1].Size);

        var usage = await reopened.DiskUsageAsync(CancellationToken.None);
        Assert.Equal(busybox.Size, usage.LayersSize);
        Assert.False(Assert.Single(usage.Images).InUse);
    }

    private static async Task Load(ImageStoreFixture store, string image) =>
        await new ImageArchiveLoader(store.Images).LoadAsync(RepoPaths.SharedImage(image), null, CancellationToken.None);

    private sealed class FixedUsage(params string[] ids) : IImageUsage
    {
        public Task<IReadOnlySet<string>> GetImageIdsInUseAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<string>>(ids.ToHashSet());
    }
}
