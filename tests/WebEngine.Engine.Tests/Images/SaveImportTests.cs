using System.Diagnostics;
using System.Text.Json.Nodes;
using WebEngine.Engine.Images.Archives;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

public sealed class SaveImportTests
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";

    [Fact]
    public async Task SaveOfTwoImagesIsAnOciLayoutAndADockerArchiveThatSkopeoAndLoadRead()
    {
        using var store = new ImageStoreFixture();
        var loader = new ImageArchiveLoader(store.Images);
        var busybox = Assert.Single(await loader.LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None));
        var layout = store.Scratch("layout");
        new OciLayoutBuilder(layout).AddLayer(t => t.File("hello", "world"), "zstd").Build("example.com/hello:1");
        var hello = Assert.Single(await loader.LoadAsync(layout, null, CancellationToken.None));
        var archive = Path.Combine(store.Scratch("out"), "saved.tar");

        await using (var output = File.Create(archive))
            await new ImageArchiveWriter(store.Images).SaveAsync(["busybox", "example.com/hello:1"], output, CancellationToken.None);

        // Both views name the same blobs, layers uncompressed under their diff id (as Docker 25+ writes them).
        var entries = ReadArchive(archive);
        var manifest = JsonNode.Parse(entries["manifest.json"])!.AsArray();
        Assert.Equal($"blobs/sha256/{busybox.Layers[0].DiffId[7..]}", (string)manifest[0]!["Layers"]![0]!);
        Assert.Equal($"blobs/sha256/{hello.Id[7..]}", (string)manifest[1]!["Config"]!);
        Assert.Equal("{\"busybox\":{\"latest\":\"" + busybox.Layers[0].DiffId[7..] + "\"},\"example.com/hello\":{\"1\":\"" + hello.Layers[0].DiffId[7..] + "\"}}",
            entries["repositories"]);
        var index = JsonNode.Parse(entries["index.json"])!["manifests"]!.AsArray();
        Assert.Equal(["docker.io/library/busybox:latest", "example.com/hello:1"], index.Select(m => (string)m!["annotations"]!["io.containerd.image.name"]!));
        Assert.Equal(["latest", "1"], index.Select(m => (string)m!["annotations"]!["org.opencontainers.image.ref.name"]!));
        Assert.Contains("oci-layout", entries.Keys);

        foreach (var (source, layer) in new[]
        {
            ($"docker-archive:{archive}:busybox:latest", busybox.Layers[0].DiffId), ($"docker-archive:{archive}:example.com/hello:1", hello.Layers[0].DiffId),
            ($"oci-archive:{archive}:latest", busybox.Layers[0].DiffId), ($"oci-archive:{archive}:1", hello.Layers[0].DiffId),
        })
        {
            // skopeo copy reads and verifies every blob, inspect only the manifest and config.
            var copy = store.Scratch("copy-" + Guid.NewGuid().ToString("N"));
            await Skopeo("--insecure-policy", "copy", "--quiet", source, $"dir:{copy}");
            Assert.Equal(layer, (string)JsonNode.Parse(await Skopeo("inspect", source))!["Layers"]![0]!);
        }

        using var other = new ImageStoreFixture();
        var loaded = await new ImageArchiveLoader(other.Images).LoadAsync(archive, null, CancellationToken.None);
        Assert.Equal([BusyboxId, hello.Id], loaded.Select(i => i.Id));
        Assert.Equal(["busybox:latest"], loaded[0].RepoTags);
        Assert.Equal(["example.com/hello:1"], loaded[1].RepoTags);
        var rootfs = await other.Images.PrepareRootfsAsync("h", "example.com/hello:1", CancellationToken.None);
        Assert.Equal("world", File.ReadAllText(Path.Combine(rootfs, "hello")));
        await other.Images.ReleaseRootfsAsync("h", CancellationToken.None);
    }

    [Fact]
    public async Task SaveKeepsTheManifestDigestOfAnImageWithUncompressedLayersAndWritesAnUntaggedImageUnnamed()
    {
        using var store = new ImageStoreFixture();
        var layout = store.Scratch("layout");
        new OciLayoutBuilder(layout).AddLayer(t => t.File("plain", "tar"), "none").Build("example.com/plain:2");
        var original = Assert.Single(await new ImageArchiveLoader(store.Images).LoadAsync(layout, null, CancellationToken.None));
        var archive = Path.Combine(store.Scratch("out"), "saved-oci.tar");

        await using (var output = File.Create(archive))
            await new ImageArchiveWriter(store.Images).SaveAsync([original.Id], output, CancellationToken.None);

        var inspect = JsonNode.Parse(await Skopeo("inspect", $"oci-archive:{archive}:2"))!;
        Assert.Equal(original.ManifestDigest, (string)inspect["Digest"]!);

        var imported = await new ImageImporter(store.Images).ImportAsync(new MemoryStream(OciLayoutBuilder.TarBytes(t => t.File("a", "b"))), null, [], null,
            CancellationToken.None);
        var untagged = Path.Combine(store.Scratch("out"), "untagged.tar");
        await using (var output = File.Create(untagged))
            await new ImageArchiveWriter(store.Images).SaveAsync([imported.Id], output, CancellationToken.None);
        var entries = ReadArchive(untagged);
        Assert.Null(JsonNode.Parse(entries["index.json"])!["manifests"]![0]!["annotations"]);
        Assert.Null(JsonNode.Parse(entries["manifest.json"])![0]!["RepoTags"]);
        Assert.DoesNotContain("repositories", entries.Keys);
        await Skopeo("--insecure-policy", "copy", "--quiet", $"docker-archive:{untagged}", $"dir:{store.Scratch("untagged-copy")}");
        using var other = new ImageStoreFixture();
        var loaded = Assert.Single(await new ImageArchiveLoader(other.Images).LoadAsync(untagged, null, CancellationToken.None));
        Assert.Equal(imported.Id, loaded.Id);
        Assert.Empty(loaded.RepoTags);
    }

    /// <summary>The small JSON files of a saved archive by name (blobs are skipped).</summary>
    private static Dictionary<string, string> ReadArchive(string archive)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            if (!entry.Name.StartsWith("blobs/", StringComparison.Ordinal))
                entries[entry.Name] = entry.DataStream is null ? "" : new StreamReader(entry.DataStream).ReadToEnd();
        }
        return entries;
    }

    [Fact]
    public async Task ImportWithChangesMakesAOneLayerImage()
    {
        using var store = new ImageStoreFixture();
        var tar = OciLayoutBuilder.Gzip(OciLayoutBuilder.TarBytes(t => t.Dir("app").File("app/run", "#!/bin/sh\necho hi\n", (UnixFileMode)0b111_101_101)));

        var image = await new ImageImporter(store.Images).ImportAsync(new MemoryStream(tar), "imported/app:v2",
            ["CMD [\"/app/run\", \"now\"]", "ENV A=B C=\"d e\"", "ENV A=b2", "WORKDIR /app", "EXPOSE 8080 53/udp", "LABEL team=img", "USER 1000:1000", "ENTRYPOINT exec /app/run"],
            "from a test", CancellationToken.None);

        Assert.Equal(["imported/app:v2"], image.RepoTags);
        var config = image.Config.Config!;
        Assert.Equal(["/app/run", "now"], config.Cmd);
        Assert.Equal(["/bin/sh", "-c", "exec /app/run"], config.Entrypoint);
        Assert.Equal(["C=d e", "A=b2"], config.Env);
        Assert.Equal("/app", config.WorkingDir);
        Assert.Equal("1000:1000", config.User);
        Assert.Equal(["53/udp", "8080/tcp"], config.ExposedPorts!.Keys.Order());
        Assert.Equal("img", config.Labels!["team"]);
        Assert.Equal("from a test", image.Config.History![0].Comment);
        var rootfs = await store.Images.PrepareRootfsAsync("imp", "imported/app:v2", CancellationToken.None);
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(rootfs, "app", "run")));
        await store.Images.ReleaseRootfsAsync("imp", CancellationToken.None);

        await Assert.ThrowsAsync<InvalidArgumentException>(() => new ImageImporter(store.Images).ImportAsync(new MemoryStream(tar), null, ["RUN rm -rf /"], null, CancellationToken.None));
    }

    private static async Task<string> Skopeo(params string[] args)
    {
        var skopeo = Prerequisites.RequireProgram("skopeo", "skopeo");
        var psi = new ProcessStartInfo(skopeo) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"skopeo {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }
}
