using System.Formats.Tar;
using System.Text.Json.Nodes;
using WebEngine.Engine.Images.Archives;

namespace WebEngine.Engine.Tests.Images;

/// <summary>Each archive here is built to attack the unpacker; each must be refused with nothing left behind.</summary>
public sealed class MaliciousArchiveTests
{
    [Fact]
    public Task EntryClimbingOutWithDotDotIsRefused() =>
        AssertRefused((b, _) => b.AddLayer(t => t.Dir("etc").File("etc/../../escaped", "x")), "climbs out");

    [Fact]
    public Task AbsoluteEntryIsRefused() =>
        AssertRefused((b, victim) => b.AddLayer(t => t.File(Path.Combine(victim, "absolute"), "x")), "absolute path");

    [Fact]
    public Task WriteThroughAnAbsoluteSymlinkIsRefused() =>
        AssertRefused((b, victim) => b.AddLayer(t => t.Symlink("evil", victim).File("evil/pwned", "x")), "through the symlink");

    [Fact]
    public Task WriteThroughARelativeEscapingSymlinkIsRefused() =>
        AssertRefused((b, _) => b.AddLayer(t => t.Dir("a").Symlink("a/up", "../../../../../../../../tmp").File("a/up/pwned", "x")), "through the symlink");

    [Fact]
    public Task HardLinkToAHostFileIsRefused() =>
        AssertRefused((b, _) => b.AddLayer(t => t.HardLink("passwd", "../../../../../../etc/passwd")), "climbs out");

    [Fact]
    public Task HardLinkToAnAbsolutePathIsRefused() =>
        AssertRefused((b, _) => b.AddLayer(t => t.HardLink("passwd", "/etc/passwd")), "absolute path");

    [Fact]
    public Task HardLinkThroughASymlinkIsRefused() =>
        AssertRefused((b, victim) => b.AddLayer(t => t.Symlink("evil", victim).HardLink("h", "evil/target")), "not a file of this layer");

    [Fact]
    public Task TruncatedGzipLayerIsRefused() =>
        AssertRefused((b, _) =>
        {
            var tar = OciLayoutBuilder.TarBytes(t => t.File("big", new string('x', 100_000)).File("second", "y"));
            var gzip = OciLayoutBuilder.Gzip(tar);
            // The descriptor matches the truncated blob, so only the decompression or the diff id can catch it.
            b.AddRawLayer(tar, "gzip", blobOverride: gzip[..(gzip.Length / 2)]);
        }, "");

    [Fact]
    public Task CorruptGzipLayerIsRefused() =>
        AssertRefused((b, _) =>
        {
            var tar = OciLayoutBuilder.TarBytes(t => t.File("big", string.Concat(Enumerable.Range(0, 20_000).Select(i => i.ToString()))));
            var gzip = OciLayoutBuilder.Gzip(tar);
            for (var i = 40; i < 80; i++)
                gzip[i] ^= 0x5a;
            b.AddRawLayer(tar, "gzip", blobOverride: gzip);
        }, "");

    [Fact]
    public Task LayerWhoseContentDoesNotMatchItsDiffIdIsRefused() =>
        AssertRefused((b, _) => b.AddRawLayer(OciLayoutBuilder.TarBytes(t => t.File("f", "x")), "gzip",
            diffIdOverride: "sha256:" + new string('0', 64)), "diff id mismatch");

    [Fact]
    public async Task BlobWhoseContentDoesNotMatchItsDigestIsRefused()
    {
        await AssertRefused((b, _) => b.AddLayer(t => t.File("f", "x")), "digest mismatch", layout =>
        {
            var blobs = Path.Combine(layout, "blobs", "sha256");
            var manifest = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(blobs).Single(f => File.ReadAllText(f).Contains("\"schemaVersion\""))))!;
            var layerDigest = (string)manifest["layers"]![0]!["digest"]!;
            var path = Path.Combine(blobs, layerDigest[7..]);
            var bytes = File.ReadAllBytes(path);
            bytes[^1] ^= 0xff;
            File.WriteAllBytes(path, bytes);
        });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public Task ManifestThatLiesAboutALayerSizeIsRefused(int delta) =>
        AssertRefused((b, _) => b.AddLayer(t => t.File("f", "x")), "declares", tamperManifest: m =>
        {
            var layer = m["layers"]![0]!;
            layer["size"] = (long)layer["size"]! + delta;
        });

    [Fact]
    public async Task ArchiveMemberClimbingOutIsRefused()
    {
        using var store = new ImageStoreFixture();
        var archive = Path.Combine(store.Scratch("a"), "evil.tar");
        await using (var file = File.Create(archive))
        await using (var writer = new TarWriter(file))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "../../escaped-from-archive") { DataStream = new MemoryStream([1]) };
            await writer.WriteEntryAsync(entry);
        }
        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => new ImageArchiveLoader(store.Images).LoadAsync(archive, null, CancellationToken.None));
        Assert.Contains("climbs out", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.DataRoot, "tmp")));
    }

    /// <summary>
    /// Builds a one-image layout with <paramref name="addLayers"/>, tars it, loads it, and checks the refusal:
    /// the error names the problem, the victim directory outside stays empty, no layer (or temp dir), blob ingest
    /// file or image record is left.
    /// </summary>
    private static async Task AssertRefused(Action<OciLayoutBuilder, string> addLayers, string expectedMessage,
        Action<string>? tamperLayout = null, Action<JsonObject>? tamperManifest = null)
    {
        using var store = new ImageStoreFixture();
        var victim = store.Scratch("victim");
        var layout = store.Scratch("layout");
        var builder = new OciLayoutBuilder(layout);
        addLayers(builder, victim);
        builder.Build("evil:latest", tamperManifest);
        tamperLayout?.Invoke(layout);
        var archive = Path.Combine(store.Scratch("archive"), "evil.tar");
        OciLayoutBuilder.TarDirectory(layout, archive);

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => new ImageArchiveLoader(store.Images).LoadAsync(archive, null, CancellationToken.None));

        Assert.Contains(expectedMessage, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(victim));
        Assert.False(File.Exists("/escaped") || File.Exists("/tmp/pwned") || File.Exists("/tmp/escaped"));
        Assert.Empty(store.LayerDirectories());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.DataRoot, "content", "ingest")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.DataRoot, "tmp")));
        Assert.Empty(await store.Images.ListAsync(CancellationToken.None));
    }
}
