using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

public sealed class RegistryPullPushTests
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";
    private const string BusyboxManifest = "sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289";

    [Fact]
    public async Task PullsByTagAndByDigestWithPerLayerProgress()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "tools/busybox:1.35");
        using var store = new ImageStoreFixture();
        var progress = new RecordingProgress();

        var image = await new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/tools/busybox:1.35", progress, CancellationToken.None);

        Assert.Equal(BusyboxId, image.Id);
        Assert.Equal([$"{registry.Host}/tools/busybox:1.35"], image.RepoTags);
        Assert.Equal([$"{registry.Host}/tools/busybox@{BusyboxManifest}"], image.RepoDigests);
        var layerId = ImageProgress.ShortId(image.Layers[0].BlobDigest);
        var statuses = progress.Items.Where(p => p.Id == layerId).Select(p => p.Status).Distinct().ToList();
        Assert.Equal(["Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete", "Extracting", "Pull complete"], statuses);
        var last = progress.Items.Last(p => p.Id == layerId && p.Status == "Downloading");
        Assert.Equal((image.Layers[0].BlobSize, image.Layers[0].BlobSize), (last.Current, last.Total));

        var byDigest = await new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/tools/busybox@{BusyboxManifest}", null, CancellationToken.None);
        Assert.Equal(BusyboxId, byDigest.Id);
        var rootfs = await store.Images.PrepareRootfsAsync("pulled", image.Id, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(rootfs, "bin", "busybox")));
        await store.Images.ReleaseRootfsAsync("pulled", CancellationToken.None);
        await Assert.ThrowsAsync<NotFoundException>(() => new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/tools/nothere:1", null, CancellationToken.None));
    }

    [Fact]
    public async Task PullAndPushWithBasicAuthUseTheStoredEncryptedLogin()
    {
        using var registry = new RegistryFixture("tester", "s3cret-pass");
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "private/busybox:latest");
        using var store = new ImageStoreFixture();
        var credentials = new RegistryCredentialStore(store.Database, store.DataRoot);
        var puller = new ImagePuller(store.Images, credentials);

        var refused = await Assert.ThrowsAsync<UnavailableException>(() => puller.PullAsync($"{registry.Host}/private/busybox", null, CancellationToken.None));
        Assert.Contains("authentication required", refused.Message);
        await credentials.SaveAsync(registry.Host, "tester", "wrong", CancellationToken.None);
        await Assert.ThrowsAsync<UnavailableException>(() => puller.PullAsync($"{registry.Host}/private/busybox", null, CancellationToken.None));
        await credentials.SaveAsync(registry.Host, "tester", "s3cret-pass", CancellationToken.None);

        var image = await puller.PullAsync($"{registry.Host}/private/busybox", null, CancellationToken.None);
        Assert.Equal(BusyboxId, image.Id);

        await store.Images.TagAsync(image.Id, $"{registry.Host}/private/copy:v2", CancellationToken.None);
        await new ImagePusher(store.Images, credentials).PushAsync($"{registry.Host}/private/copy:v2", null, CancellationToken.None);
        using var other = new ImageStoreFixture();
        var otherCredentials = new RegistryCredentialStore(other.Database, other.DataRoot);
        await otherCredentials.SaveAsync(registry.Host, "tester", "s3cret-pass", CancellationToken.None);
        Assert.Equal(BusyboxId, (await new ImagePuller(other.Images, otherCredentials).PullAsync($"{registry.Host}/private/copy:v2", null, CancellationToken.None)).Id);

        // The password is not in the database in clear, and the key file is root-only.
        await using var db = store.Database.CreateContext();
        var row = await db.RegistryCredentials.SingleAsync();
        Assert.DoesNotContain("s3cret-pass", Encoding.Latin1.GetString(row.ProtectedSecret));
        foreach (var file in Directory.GetFiles(store.DataRoot, "webengine.db*"))
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf("s3cret-pass"u8) < 0, $"{file} holds the password in clear");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(store.DataRoot, "keys", "registry-credentials.key")));
        Assert.True(await credentials.RemoveAsync(registry.Host, CancellationToken.None));
        Assert.Null(await credentials.GetAsync(registry.Host, CancellationToken.None));
    }

    [Fact]
    public async Task PushThenPullBackKeepsTheManifestDigest()
    {
        using var registry = new RegistryFixture();
        using var source = new ImageStoreFixture();
        await new ImageArchiveLoader(source.Images).LoadAsync(RepoPaths.SharedImage("busybox-docker.tar"), null, CancellationToken.None);
        var target = $"{registry.Host}/pushed/busybox:v1";
        await source.Images.TagAsync("busybox", target, CancellationToken.None);
        var progress = new RecordingProgress();

        var digest = await new ImagePusher(source.Images, null).PushAsync(target, progress, CancellationToken.None);

        Assert.Contains(progress.Items, p => p.Status == "Pushed");
        Assert.Contains($"{registry.Host}/pushed/busybox@{digest}", (await source.Images.InspectAsync(target, CancellationToken.None)).RepoDigests);
        // Pushing again finds every blob already there.
        var again = new RecordingProgress();
        Assert.Equal(digest, await new ImagePusher(source.Images, null).PushAsync(target, again, CancellationToken.None));
        Assert.DoesNotContain(again.Items, p => p.Status == "Pushed");
        Assert.Contains(again.Items, p => p.Status == "Layer already exists");

        using var back = new ImageStoreFixture();
        var pulled = await new ImagePuller(back.Images, null).PullAsync(target, null, CancellationToken.None);
        Assert.Equal(BusyboxId, pulled.Id);
        Assert.Equal(digest.ToString(), pulled.ManifestDigest);
    }

    [Fact]
    public async Task MultiArchIndexPullSelectsTheHostPlatformOrTheOneAskedForAndNamesAMissingOneAsDocker()
    {
        using var registry = new RegistryFixture();
        using var source = new ImageStoreFixture();
        var loader = new ImageArchiveLoader(source.Images);
        var digests = new Dictionary<string, string>();
        foreach (var arch in new[] { "arm64", "amd64" })
        {
            var layout = source.Scratch("layout-" + arch);
            var builder = new OciLayoutBuilder(layout).AddLayer(t => t.File("arch", arch));
            builder.Config["architecture"] = arch;
            if (arch == "arm64")
                builder.Config["variant"] = "v8";
            builder.Build($"{registry.Host}/multi/app:{arch}");
            await loader.LoadAsync(layout, null, CancellationToken.None);
            digests[arch] = (await new ImagePusher(source.Images, null).PushAsync($"{registry.Host}/multi/app:{arch}", null, CancellationToken.None)).ToString();
        }
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(digests.Select(d => (JsonNode)new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = d.Value,
                ["size"] = source.Images.Content.SizeOf(WebEngine.Engine.Images.Content.Digest.Parse(d.Value)),
                ["platform"] = new JsonObject { ["architecture"] = d.Key, ["os"] = "linux" },
            }).ToArray()),
        };
        using (var client = new RegistryClient(registry.Host, source.Options, null))
            await client.PutManifestAsync("multi/app", "latest", Encoding.UTF8.GetBytes(index.ToJsonString()), "application/vnd.oci.image.index.v1+json", CancellationToken.None);

        using var store = new ImageStoreFixture();
        var image = await new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/multi/app", null, CancellationToken.None);

        Assert.Equal("amd64", image.Config.Architecture);
        Assert.Equal(digests["amd64"], image.ManifestDigest);
        Assert.Equal([$"{registry.Host}/multi/app:latest"], image.RepoTags);
        var rootfs = await store.Images.PrepareRootfsAsync("multi", image.Id, CancellationToken.None);
        Assert.Equal("amd64", File.ReadAllText(Path.Combine(rootfs, "arch")));
        await store.Images.ReleaseRootfsAsync("multi", CancellationToken.None);

        // docker pull --platform: "linux/aarch64" is arm64/v8 once normalized; the record keeps the config's platform.
        var arm = await new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/multi/app", null, ImagePlatform.Parse("linux/aarch64", "amd64"), null,
            CancellationToken.None);
        Assert.Equal(("linux", "arm64", "v8"), (arm.Config.Os, arm.Config.Architecture, arm.Config.Variant));
        Assert.Equal(digests["arm64"], arm.ManifestDigest);
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/multi/app", null,
            ImagePlatform.Parse("linux/s390x", "amd64"), null, CancellationToken.None));
        Assert.Equal("no matching manifest for linux/s390x in the manifest list entries", missing.Message);
        missing = await Assert.ThrowsAsync<NotFoundException>(() => new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/multi/app", null,
            ImagePlatform.Parse("arm", "amd64"), null, CancellationToken.None));
        Assert.Equal("no matching manifest for linux/arm/v7 in the manifest list entries", missing.Message);

        // A single manifest is pulled whatever platform was asked for (as Docker): its record says what it is.
        var single = await new ImagePuller(store.Images, null).PullAsync($"{registry.Host}/multi/app:arm64", null, ImagePlatform.Parse("linux/amd64", "amd64"),
            null, CancellationToken.None);
        Assert.Equal("arm64", single.Config.Architecture);
    }

    [Theory]
    [InlineData("linux/arm64", "linux/arm64/v8")]
    [InlineData("arm64", "linux/arm64/v8")]
    [InlineData("linux/aarch64/8", "linux/arm64/v8")]
    [InlineData("linux", "linux/amd64")]
    [InlineData("LINUX/x86_64", "linux/amd64")]
    [InlineData("linux/amd64/v1", "linux/amd64")]
    [InlineData("linux/armhf", "linux/arm/v7")]
    [InlineData("linux/arm/6", "linux/arm/v6")]
    [InlineData("linux/386", "linux/386")]
    public void PlatformsNormalizeAsContainerdDoes(string value, string normalized) =>
        Assert.Equal(normalized, ImagePlatform.Parse(value, "amd64").ToString());

    [Fact]
    public void AnArmRequestTakesAnOlderVariantButNotANewer()
    {
        var v7 = ImagePlatform.Parse("linux/arm/v7", "amd64");
        Assert.True(v7.Accepts(ImagePlatform.Of("linux", "arm", "v6")));
        Assert.False(ImagePlatform.Parse("linux/arm/v6", "amd64").Accepts(ImagePlatform.Of("linux", "arm", "v7")));
        Assert.True(ImagePlatform.Parse("linux/arm64", "amd64").Accepts(ImagePlatform.Of("linux", "arm64", null)));
        Assert.Throws<InvalidArgumentException>(() => ImagePlatform.Parse("linux/arm64/v8/x", "amd64"));
    }

    [Fact]
    public async Task APullOfACorruptedBlobLeavesNothingAndTheNextPullSucceeds()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "corrupt/busybox:latest");
        var blob = registry.BlobDataPath("sha256:e2f59d1c949f6578bcf997ff8b32e21af9b5c54030ad8342abb3cac1fa961fa1");
        var original = File.ReadAllBytes(blob);
        var corrupted = (byte[])original.Clone();
        corrupted[corrupted.Length / 2] ^= 0xff;
        File.WriteAllBytes(blob, corrupted);
        using var store = new ImageStoreFixture();
        var reference = $"{registry.Host}/corrupt/busybox";

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => new ImagePuller(store.Images, null).PullAsync(reference, null, CancellationToken.None));

        Assert.Contains("digest mismatch", error.Message);
        AssertNothingHalfDone(store);
        File.WriteAllBytes(blob, original);
        Assert.Equal(BusyboxId, (await new ImagePuller(store.Images, null).PullAsync(reference, null, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task APullCutOffByAStoppedRegistryLeavesNothingAndTheNextPullSucceeds()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("debian-minbase-oci.tar")}:debian:bookworm-minbase", "debian:minbase");
        using var store = new ImageStoreFixture();
        var reference = $"{registry.Host}/debian:minbase";
        // The registry is killed as soon as the first bytes of the 44 MB layer arrive.
        var stopper = new RecordingProgress(p =>
        {
            if (p.Status == "Downloading")
                registry.Stop();
        });

        await Assert.ThrowsAsync<UnavailableException>(() => new ImagePuller(store.Images, null).PullAsync(reference, stopper, CancellationToken.None));

        AssertNothingHalfDone(store);
        await Assert.ThrowsAsync<UnavailableException>(() => new ImagePuller(store.Images, null).PullAsync(reference, null, CancellationToken.None));
        registry.Start();
        var image = await new ImagePuller(store.Images, null).PullAsync(reference, null, CancellationToken.None);
        Assert.Equal(["bash"], image.Config.Config!.Cmd);
        var diff = store.Images.Layers.DiffPath(WebEngine.Engine.Images.Content.Digest.Parse(image.Layers[0].ChainId));
        Assert.StartsWith("12.", File.ReadAllText(Path.Combine(diff, "etc", "debian_version")));
    }

    private static void AssertNothingHalfDone(ImageStoreFixture store)
    {
        Assert.Empty(store.LayerDirectories());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(store.DataRoot, "content", "ingest")));
        Assert.Empty(store.Images.ListAsync(CancellationToken.None).GetAwaiter().GetResult());
    }

    private sealed class RecordingProgress(Action<ImageProgress>? onReport = null) : IProgress<ImageProgress>
    {
        private readonly List<ImageProgress> _items = [];

        public IReadOnlyList<ImageProgress> Items
        {
            get
            {
                lock (_items)
                    return _items.ToList();
            }
        }

        public void Report(ImageProgress value)
        {
            lock (_items)
                _items.Add(value);
            onReport?.Invoke(value);
        }
    }
}
