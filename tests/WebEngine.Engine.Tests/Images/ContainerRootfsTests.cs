using System.Formats.Tar;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;

namespace WebEngine.Engine.Tests.Images;

public sealed class ContainerRootfsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThreeLayerImageGivesAMergedRootfsWithWhiteoutsApplied(bool forceCopy)
    {
        using var store = new ImageStoreFixture(forceCopy);
        var layout = store.Scratch("layout");
        new OciLayoutBuilder(layout)
            .AddLayer(t =>
            {
                t.Dir("etc").File("etc/base", "1").Dir("data").File("data/keep", "k").File("data/old", "o")
                    .Dir("opq").File("opq/a", "a").File("gone", "g").Dir("bin")
                    .File("bin/suid", "#!/bin/sh", (UnixFileMode)0b100_111_101_101, uid: 1000, gid: 1000)
                    .File("xattr", "x", pax: [new("SCHILY.xattr.user.origin", "layer1")]);
                t.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0b110_110_110 });
            })
            .AddLayer(t => t.File(".wh.gone", "").Dir("data").File("data/.wh.old", "").Dir("opq").File("opq/.wh..wh..opq", "")
                .File("opq/b", "b").Dir("etc").File("etc/base", "2"), "zstd")
            .AddLayer(t => t.File("top", "3").HardLink("top-link", "top"), "none")
            .Build("layered:3");
        var image = Assert.Single(await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None));
        Assert.Equal(3, image.Layers.Count);

        var rootfs = await store.Images.PrepareRootfsAsync("c1", "layered:3", CancellationToken.None);

        Assert.Equal(Path.Combine(store.DataRoot, "containers", "c1", "rootfs"), rootfs);
        Assert.Equal(!forceCopy, store.Images.Rootfs.IsOverlayMounted("c1"));
        Assert.False(Path.Exists(Path.Combine(rootfs, "gone")));
        Assert.False(Path.Exists(Path.Combine(rootfs, "data", "old")));
        Assert.Equal("k", File.ReadAllText(Path.Combine(rootfs, "data", "keep")));
        Assert.False(Path.Exists(Path.Combine(rootfs, "opq", "a")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(rootfs, "opq", "b")));
        Assert.Equal("2", File.ReadAllText(Path.Combine(rootfs, "etc", "base")));
        Assert.Equal("3", File.ReadAllText(Path.Combine(rootfs, "top-link")));
        var suid = FileSystemInterop.Lstat(Path.Combine(rootfs, "bin", "suid"))!.Value;
        Assert.Equal(0b100_111_101_101u, suid.Mode & 0xFFF);
        Assert.Equal(1000, suid.Uid);
        Assert.Equal("layer1"u8.ToArray(), FileSystemInterop.Lgetxattr(Path.Combine(rootfs, "xattr"), "user.origin"));
        Assert.Equal((1, 3), FileSystemInterop.DeviceNumber(Path.Combine(rootfs, "null")));
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(rootfs, "data", "keep")));

        // Writes land in the container's own upper dir (or copy), never in the shared layers.
        File.WriteAllText(Path.Combine(rootfs, "etc", "base"), "changed");
        File.Delete(Path.Combine(rootfs, "data", "keep"));
        var layer0 = store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[0].ChainId));
        var layer1 = store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[1].ChainId));
        Assert.Equal("2", File.ReadAllText(Path.Combine(layer1, "etc", "base")));
        Assert.Equal("k", File.ReadAllText(Path.Combine(layer0, "data", "keep")));
        // In the layer itself the whiteouts are in overlay form.
        Assert.True(FileSystemInterop.IsWhiteoutDevice(Path.Combine(layer1, "gone")));
        Assert.Equal("y"u8.ToArray(), FileSystemInterop.Lgetxattr(Path.Combine(layer1, "opq"), "trusted.overlay.opaque"));

        await store.Images.ReleaseRootfsAsync("c1", CancellationToken.None);
        Assert.False(Directory.Exists(Path.Combine(store.DataRoot, "containers", "c1")));
        Assert.False(store.Images.Rootfs.IsOverlayMounted("c1"));
    }

    [Fact]
    public async Task ManyLayersFitInOneOverlayMount()
    {
        const int layers = 150;
        using var store = new ImageStoreFixture();
        var layout = store.Scratch("layout");
        var builder = new OciLayoutBuilder(layout);
        for (var i = 0; i < layers; i++)
        {
            var n = i;
            builder.AddLayer(t => t.File($"file-{n}", n.ToString()), "none");
        }
        builder.Build("many:layers");
        await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None);

        var rootfs = await store.Images.PrepareRootfsAsync("many", "many:layers", CancellationToken.None);
        try
        {
            Assert.True(store.Images.Rootfs.IsOverlayMounted("many"));
            for (var i = 0; i < layers; i++)
                Assert.Equal(i.ToString(), File.ReadAllText(Path.Combine(rootfs, $"file-{i}")));
        }
        finally
        {
            await store.Images.ReleaseRootfsAsync("many", CancellationToken.None);
        }
    }

    [Fact]
    public async Task PreparingTwiceForTheSameImageIsIdempotentAndContainersShareLayers()
    {
        using var store = new ImageStoreFixture();
        await new ImageArchiveLoader(store.Images).LoadAsync(WebEngine.TestSupport.RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
        var a = await store.Images.PrepareRootfsAsync("a", "busybox", CancellationToken.None);
        var again = await store.Images.PrepareRootfsAsync("a", "busybox", CancellationToken.None);
        var b = await store.Images.PrepareRootfsAsync("b", "busybox", CancellationToken.None);
        try
        {
            Assert.Equal(a, again);
            File.WriteAllText(Path.Combine(a, "only-in-a"), "x");
            Assert.False(File.Exists(Path.Combine(b, "only-in-a")));
            Assert.True(File.Exists(Path.Combine(b, "bin", "busybox")));
            Assert.Single(store.LayerDirectories());
            await Assert.ThrowsAsync<InvalidArgumentException>(() => store.Images.PrepareRootfsAsync("../escape", "busybox", CancellationToken.None));
            // A rootfs something still holds open is not released under it.
            using (File.OpenRead(Path.Combine(b, "bin", "busybox")))
                await Assert.ThrowsAsync<ConflictException>(() => store.Images.ReleaseRootfsAsync("b", CancellationToken.None));
            Assert.True(store.Images.Rootfs.IsOverlayMounted("b"));
        }
        finally
        {
            await store.Images.ReleaseRootfsAsync("a", CancellationToken.None);
            await store.Images.ReleaseRootfsAsync("b", CancellationToken.None);
        }
    }
}
