using WebEngine.Engine.Images.Archives;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

public sealed class ArchiveLoadTests
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";
    private const string BusyboxDiffId = "sha256:059f58363ebd3e82dddd75cf290dd28efa7d3a330e750bf58c1d0e87e94e23c7";

    [Fact]
    public async Task LoadsBusyboxOciLayoutTar()
    {
        using var store = new ImageStoreFixture();
        var loaded = await new ImageArchiveLoader(store.Images).LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);

        var image = Assert.Single(loaded);
        Assert.Equal(BusyboxId, image.Id);
        Assert.Equal(["busybox:latest"], image.RepoTags);
        Assert.Equal(["sh"], image.Config.Config!.Cmd);
        Assert.Equal("sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289", image.ManifestDigest);
        var layer = Assert.Single(image.Layers);
        Assert.Equal(BusyboxDiffId, layer.DiffId);
        var diff = store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(layer.ChainId));
        Assert.True(File.Exists(Path.Combine(diff, "bin", "busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(diff, "bin", "sh")).LinkTarget);
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(diff, "etc", "passwd")));
        Assert.Equal((UnixFileMode)0b1_111_111_111, File.GetUnixFileMode(Path.Combine(diff, "tmp")));
        Assert.Equal(BusyboxId, await store.Images.ResolveIdAsync("busybox", CancellationToken.None));
        Assert.Equal(BusyboxId, await store.Images.ResolveIdAsync("docker.io/library/busybox:latest", CancellationToken.None));
        Assert.Equal(BusyboxId, await store.Images.ResolveIdAsync("f84606709872", CancellationToken.None));
    }

    [Fact]
    public async Task LoadsDebianMinbaseOciLayoutTar()
    {
        using var store = new ImageStoreFixture();
        var loaded = await new ImageArchiveLoader(store.Images).LoadAsync(RepoPaths.SharedImage("debian-minbase-oci.tar"), null, CancellationToken.None);

        var image = Assert.Single(loaded);
        Assert.Equal(["debian:bookworm-minbase"], image.RepoTags);
        Assert.Equal(["bash"], image.Config.Config!.Cmd);
        var diff = store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[0].ChainId));
        Assert.StartsWith("12.", File.ReadAllText(Path.Combine(diff, "etc", "debian_version")));
        // setuid bits survive unpacking (chown would clear them if applied after chmod).
        Assert.True(File.GetUnixFileMode(Path.Combine(diff, "usr", "bin", "su")).HasFlag(UnixFileMode.SetUser));
        Assert.True(image.Size > 50_000_000);
    }

    [Fact]
    public async Task LoadsBusyboxDockerArchiveToTheSameImageAsTheOciLayout()
    {
        using var store = new ImageStoreFixture();
        var loader = new ImageArchiveLoader(store.Images);
        var fromDocker = Assert.Single(await loader.LoadAsync(RepoPaths.SharedImage("busybox-docker.tar"), null, CancellationToken.None));
        Assert.Equal(BusyboxId, fromDocker.Id);
        Assert.Equal(["busybox:latest"], fromDocker.RepoTags);
        Assert.Equal(BusyboxDiffId, fromDocker.Layers[0].BlobDigest);

        var fromOci = Assert.Single(await loader.LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None));
        Assert.Equal(fromDocker.Id, fromOci.Id);
        // One chain id, one unpacked layer, however the image arrived.
        Assert.Single(store.LayerDirectories());
    }

    [Fact]
    public async Task LoadsAnOciLayoutDirectoryWithZstdAndUncompressedLayers()
    {
        using var store = new ImageStoreFixture();
        var layout = store.Scratch("layout");
        var builder = new OciLayoutBuilder(layout)
            .AddLayer(t => t.Dir("etc").File("etc/zstd", "z"), "zstd")
            .AddLayer(t => t.File("plain", "p"), "none");
        builder.Build("example.com/team/app:v1");

        var image = Assert.Single(await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None));

        Assert.Equal(["example.com/team/app:v1"], image.RepoTags);
        Assert.Equal("z", File.ReadAllText(Path.Combine(store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[0].ChainId)), "etc", "zstd")));
        Assert.Equal("p", File.ReadAllText(Path.Combine(store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[1].ChainId)), "plain")));
    }
}
