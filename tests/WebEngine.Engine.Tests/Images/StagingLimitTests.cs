using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

/// <summary>Loads, imports and pulls whose temporary data would not fit are refused and leave nothing behind.</summary>
public sealed class StagingLimitTests
{
    private const long Limit = 1 << 20;

    [Fact]
    public async Task ALoadOverTheStagingLimitIsRefusedFromAFileAndFromAStream()
    {
        using var store = new ImageStoreFixture(stagingLimit: Limit);
        var archive = RepoPaths.SharedImage("busybox-docker.tar");
        var loader = new ImageArchiveLoader(store.Images);

        var fromFile = await Assert.ThrowsAsync<InvalidArgumentException>(() => loader.LoadAsync(archive, null, CancellationToken.None));
        Assert.Contains("WebEngine:ImageStagingLimit", fromFile.Message);
        AssertNothingLeft(store);

        await using (var stream = new NonSeekableStream(File.OpenRead(archive)))
        {
            var fromStream = await Assert.ThrowsAsync<InvalidArgumentException>(() => loader.LoadAsync(stream, null, CancellationToken.None));
            Assert.Contains("WebEngine:ImageStagingLimit", fromStream.Message);
        }
        AssertNothingLeft(store);
    }

    [Fact]
    public async Task ALoadLargerThanTheFreeSpaceOfTheDataRootIsRefused()
    {
        using var store = new ImageStoreFixture(tmpfsSize: "3m");

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            new ImageArchiveLoader(store.Images).LoadAsync(RepoPaths.SharedImage("busybox-docker.tar"), null, CancellationToken.None));

        Assert.Contains("free on the file system of the data root", error.Message);
        AssertNothingLeft(store);
    }

    [Fact]
    public async Task AnImportOverTheStagingLimitIsRefused()
    {
        using var store = new ImageStoreFixture(stagingLimit: Limit);
        var tar = OciLayoutBuilder.TarBytes(t => t.File("big", new string('x', 2 * (int)Limit)));

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            new ImageImporter(store.Images).ImportAsync(new NonSeekableStream(new MemoryStream(tar)), "too/big:1", [], null, CancellationToken.None));

        Assert.Contains("WebEngine:ImageStagingLimit", error.Message);
        AssertNothingLeft(store);
        Assert.Empty(Directory.GetFiles(Path.Combine(store.DataRoot, "content", "blobs", "sha256")));
    }

    [Fact]
    public async Task APullOverTheStagingLimitIsRefusedBeforeDownloading()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "limited/busybox:1");
        using var store = new ImageStoreFixture(stagingLimit: 64 * 1024);

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/limited/busybox:1", null, CancellationToken.None));

        Assert.Contains("WebEngine:ImageStagingLimit", error.Message);
        AssertNothingLeft(store);
        Assert.Empty(Directory.GetFiles(Path.Combine(store.DataRoot, "content", "blobs", "sha256")));
    }

    private static void AssertNothingLeft(ImageStoreFixture store)
    {
        var tmp = Path.Combine(store.DataRoot, "tmp");
        Assert.True(!Directory.Exists(tmp) || Directory.GetFileSystemEntries(tmp).Length == 0, "the staging directory is not empty");
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.DataRoot, "content", "ingest")));
        Assert.Empty(store.LayerDirectories());
        Assert.Empty(store.Images.ListAsync(CancellationToken.None).GetAwaiter().GetResult());
    }

    /// <summary>What an HTTP request body looks like to the loader: no length, no seeking.</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
