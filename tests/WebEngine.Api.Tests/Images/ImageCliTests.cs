using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Images;

/// <summary>The real docker CLI's image commands against the real daemon: load, images, tag, rmi, save, import, history, prune.</summary>
public sealed class ImageCliTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>
{
    private const string BusyboxId = "sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4";

    [Fact]
    public async Task LoadReportsTheImageAndImagesListsIt()
    {
        Assert.Equal("Loaded image: busybox:latest", fixture.LoadOutput);
        var rows = await fixture.DockerOkAsync("images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}", "--filter", "reference=busybox");
        Assert.Equal($"busybox:latest {BusyboxId} 1.98MB", rows);
        Assert.Contains(BusyboxId[7..19], (await fixture.DockerOkAsync("images", "-q")).Split('\n'));
        Assert.Contains("busybox", await fixture.DockerOkAsync("images", "-a", "--format", "{{.Repository}}"));
    }

    [Fact]
    public async Task ImagesFiltersByReferenceGlobDanglingAndLabel()
    {
        var repository = ImageDaemonFixture.NewName("globbed");
        await fixture.DockerOkAsync("tag", "busybox", $"{repository}:one");
        await fixture.DockerOkAsync("tag", "busybox", $"{repository}:two");
        var matched = await fixture.DockerOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", $"reference={repository[..8]}*:t*");
        Assert.Equal($"{repository}:two", matched);
        var labelled = ImageDaemonFixture.NewName("labelled");
        await fixture.DockerOkAsync("import", "-c", "LABEL suite=images", fixture.RootfsTar("l"), labelled);
        Assert.Equal($"{labelled}:latest", await fixture.DockerOkAsync("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "label=suite=images"));
        Assert.DoesNotContain("busybox", await fixture.DockerOkAsync("images", "--format", "{{.Repository}}", "--filter", "dangling=true"));
        await fixture.DockerOkAsync("rmi", $"{repository}:one", $"{repository}:two", labelled);
    }

    [Fact]
    public async Task TagThenRmiUntagsAndKeepsTheImageOtherTagsName()
    {
        var tag = ImageDaemonFixture.NewName("team/app") + ":v1";
        await fixture.DockerOkAsync("tag", "busybox:latest", tag);
        Assert.Equal(BusyboxId, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", tag));
        Assert.Equal($"Untagged: {tag}", await fixture.DockerOkAsync("rmi", tag));
        Assert.Contains("No such image", await fixture.DockerFailsAsync("image", "inspect", tag));
        Assert.Equal(BusyboxId, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", "busybox"));
    }

    [Fact]
    public async Task RmiOfAnImageAContainerUsesIsRefusedUntilTheContainerIsGone()
    {
        var image = ImageDaemonFixture.NewName("inuse");
        var id = await fixture.DockerOkAsync("import", "-c", "CMD [\"/hello\"]", fixture.RootfsTar("in use"), image);
        var container = await fixture.DockerOkAsync("create", "--name", ImageDaemonFixture.NewName("user"), image);
        Assert.Contains("conflict: unable to remove repository reference", await fixture.DockerFailsAsync("rmi", image));
        Assert.Contains("image is being used by a container", await fixture.DockerFailsAsync("rmi", id[7..19]));
        Assert.Equal(id, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", image));
        await fixture.DockerOkAsync("rm", container);
        var removed = await fixture.DockerOkAsync("rmi", image);
        Assert.Equal($"Untagged: {image}:latest\nDeleted: {id}", removed);
    }

    [Fact]
    public async Task SaveThenLoadRoundTripsTheImageAndItsTags()
    {
        var tag = ImageDaemonFixture.NewName("saved") + ":1";
        await fixture.DockerOkAsync("tag", "busybox", tag);
        var archive = Path.Combine(fixture.Scratch, "saved.tar");
        await fixture.DockerOkAsync("save", "-o", archive, tag);
        Assert.True(new FileInfo(archive).Length > 2_000_000);
        await fixture.DockerOkAsync("rmi", tag);
        Assert.Equal($"Loaded image: {tag}", await fixture.DockerOkAsync("load", "-i", archive));
        Assert.Equal(BusyboxId, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", tag));
        await fixture.DockerOkAsync("rmi", tag);
    }

    /// <summary>
    /// docker save of two images writes Docker 25's combined archive: skopeo reads it as an OCI archive and as a Docker
    /// archive (copy verifies every blob), and a fresh daemon loads both images with their tags and runs one.
    /// </summary>
    [Fact]
    public async Task SaveOfTwoImagesIsReadBySkopeoBothWaysAndLoadsIntoAFreshDaemon()
    {
        var tag = ImageDaemonFixture.NewName("pair") + ":1";
        await fixture.DockerOkAsync("tag", "busybox", tag);
        var other = ImageDaemonFixture.NewName("imported") + ":2";
        var otherId = await fixture.DockerOkAsync("import", "-c", "CMD [\"/bin/none\"]", fixture.RootfsTar("second image"), other);
        var archive = Path.Combine(fixture.Scratch, "pair.tar");
        await fixture.DockerOkAsync("save", "-o", archive, tag, other);

        foreach (var (source, config) in new[]
        {
            ($"oci-archive:{archive}:1", BusyboxId), ($"oci-archive:{archive}:2", otherId),
            ($"docker-archive:{archive}:{tag}", BusyboxId), ($"docker-archive:{archive}:{other}", otherId),
        })
        {
            var copy = Path.Combine(fixture.Scratch, Guid.NewGuid().ToString("N"));
            await SkopeoAsync("--insecure-policy", "copy", "--quiet", source, $"dir:{copy}");
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(copy, "manifest.json")));
            Assert.Equal(config, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString());
        }

        await using var fresh = await DaemonProcess.StartAsync();
        var (code, loaded, stderr) = await fresh.DockerAsync("load", "-i", archive);
        Assert.True(code == 0, $"docker load into a fresh daemon failed: {stderr}");
        Assert.Equal($"Loaded image: {tag}\nLoaded image: {other}", loaded.Trim());
        var (_, ids, _) = await fresh.DockerAsync("image", "inspect", "--format", "{{.Id}}", tag, other);
        Assert.Equal($"{BusyboxId}\n{otherId}", ids.Trim());
        var (runCode, output, runError) = await fresh.DockerAsync("run", "--rm", "--network", "none", tag, "echo", "loaded");
        Assert.True(runCode == 0, runError);
        Assert.Equal("loaded", output.Trim());
        await fixture.DockerOkAsync("rmi", tag, other);
    }

    /// <summary>
    /// A combined archive as `docker save` of a two-platform image writes on an arm64 machine: index.json names the
    /// image index (linux/amd64 busybox and a linux/arm64 image), manifest.json only the saving daemon's arm64 image.
    /// dockerd (containerd image store) reads index.json first and takes the host's platform, so does this daemon.
    /// </summary>
    [Fact]
    public async Task LoadOfACombinedArchiveReadsItsIndexAndTakesTheHostsPlatform()
    {
        var name = ImageDaemonFixture.NewName("combined") + ":1";
        var archive = Path.Combine(fixture.Scratch, "combined.tar");
        WriteTwoPlatformCombinedArchive(archive, name);

        Assert.Equal($"Loaded image: {name}", await fixture.DockerOkAsync("load", "-i", archive));
        Assert.Equal($"{BusyboxId} amd64", await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}} {{.Architecture}}", name));
        await fixture.DockerOkAsync("rmi", name);
    }

    /// <summary>
    /// The same archive saved by a daemon that had only the arm64 image: the index names both platforms, the blobs are
    /// the arm64 image's. The host's platform cannot be read from index.json, so the load reads manifest.json, as a
    /// classic dockerd does, and gets the saved arm64 image instead of failing on a missing blob.
    /// </summary>
    [Fact]
    public async Task LoadOfACombinedArchiveWithoutTheHostsPlatformReadsItsManifestJson()
    {
        var name = ImageDaemonFixture.NewName("armonly") + ":1";
        var archive = Path.Combine(fixture.Scratch, "armonly.tar");
        WriteTwoPlatformCombinedArchive(archive, name, withHostPlatformBlobs: false);

        Assert.Equal($"Loaded image: {name}", await fixture.DockerOkAsync("load", "-i", archive));
        Assert.Equal("arm64 /marker", await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Architecture}} {{join .Config.Cmd \" \"}}", name));
        await fixture.DockerOkAsync("rmi", name);
    }

    private static void WriteTwoPlatformCombinedArchive(string archive, string name, bool withHostPlatformBlobs = true)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var busyboxBlobs = new HashSet<string>(StringComparer.Ordinal);
        string busyboxManifest = "";
        using (var busybox = new System.Formats.Tar.TarReader(File.OpenRead(RepoPaths.SharedImage("busybox-oci.tar"))))
        {
            while (busybox.GetNextEntry() is { } entry)
            {
                var data = ReadAll(entry.DataStream);
                if (entry.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && data.Length > 0)
                {
                    var digest = "sha256:" + entry.Name["blobs/sha256/".Length..];
                    blobs[digest] = data;
                    busyboxBlobs.Add(digest);
                }
                else if (entry.Name == "index.json")
                    busyboxManifest = JsonDocument.Parse(data).RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
            }
        }
        string Add(byte[] data)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
            blobs[digest] = data;
            return digest;
        }
        static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);
        static object Descriptor(string mediaType, string digest, int size, object? platform = null, object? annotations = null) =>
            new Dictionary<string, object?> { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size, ["platform"] = platform, ["annotations"] = annotations }
                .Where(p => p.Value is not null).ToDictionary();

        using var layerTar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(layerTar, leaveOpen: true))
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "marker") { DataStream = new MemoryStream("arm64"u8.ToArray()) });
        var layer = layerTar.ToArray();
        var layerDigest = Add(layer);
        var config = Json(new { architecture = "arm64", os = "linux", config = new { Cmd = new[] { "/marker" } }, rootfs = new { type = "layers", diff_ids = new[] { layerDigest } } });
        var configDigest = Add(config);
        var armManifest = Json(new
        {
            schemaVersion = 2, mediaType = "application/vnd.oci.image.manifest.v1+json",
            config = Descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.Length),
            layers = new[] { Descriptor("application/vnd.oci.image.layer.v1.tar", layerDigest, layer.Length) },
        });
        var armManifestDigest = Add(armManifest);
        var imageIndex = Json(new
        {
            schemaVersion = 2, mediaType = "application/vnd.oci.image.index.v1+json",
            manifests = new[]
            {
                Descriptor("application/vnd.oci.image.manifest.v1+json", busyboxManifest, blobs[busyboxManifest].Length, new { architecture = "amd64", os = "linux" }),
                Descriptor("application/vnd.oci.image.manifest.v1+json", armManifestDigest, armManifest.Length, new { architecture = "arm64", os = "linux" }),
            },
        });
        var imageIndexDigest = Add(imageIndex);
        var tag = name[(name.LastIndexOf(':') + 1)..];
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["oci-layout"] = Json(new { imageLayoutVersion = "1.0.0" }),
            ["index.json"] = Json(new
            {
                schemaVersion = 2, mediaType = "application/vnd.oci.image.index.v1+json",
                manifests = new[]
                {
                    Descriptor("application/vnd.oci.image.index.v1+json", imageIndexDigest, imageIndex.Length, annotations: new Dictionary<string, string>
                    {
                        ["io.containerd.image.name"] = "docker.io/library/" + name, ["org.opencontainers.image.ref.name"] = tag,
                    }),
                },
            }),
            ["manifest.json"] = Json(new[] { new { Config = "blobs/sha256/" + configDigest[7..], RepoTags = new[] { name }, Layers = new[] { "blobs/sha256/" + layerDigest[7..] } } }),
        };
        using var output = new System.Formats.Tar.TarWriter(File.Create(archive));
        foreach (var (digest, data) in blobs.Where(b => withHostPlatformBlobs || !busyboxBlobs.Contains(b.Key)))
            output.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "blobs/sha256/" + digest[7..]) { DataStream = new MemoryStream(data) });
        foreach (var (file, data) in files)
            output.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, file) { DataStream = new MemoryStream(data) });
    }

    private static byte[] ReadAll(Stream? stream)
    {
        if (stream is null)
            return [];
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static async Task<string> SkopeoAsync(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Prerequisites.RequireProgram("skopeo", "skopeo")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"skopeo {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    [Fact]
    public async Task ImportAppliesChangesAndMessageThatInspectAndHistoryShow()
    {
        var image = ImageDaemonFixture.NewName("imported") + ":v2";
        var id = await fixture.DockerOkAsync("import", "-c", "CMD [\"/hello\"]", "-c", "ENV A=1", "-c", "LABEL kind=imported", "-m", "from the test",
            fixture.RootfsTar("hello"), image);
        Assert.StartsWith("sha256:", id);
        using var inspect = JsonDocument.Parse(await fixture.DockerOkAsync("image", "inspect", image));
        var config = inspect.RootElement[0].GetProperty("Config");
        Assert.Equal("/hello", config.GetProperty("Cmd")[0].GetString());
        Assert.Equal("A=1", config.GetProperty("Env")[0].GetString());
        Assert.Equal("imported", config.GetProperty("Labels").GetProperty("kind").GetString());
        Assert.Equal(5, inspect.RootElement[0].GetProperty("Size").GetInt64());
        Assert.Equal("layers", inspect.RootElement[0].GetProperty("RootFS").GetProperty("Type").GetString());
        var history = await fixture.DockerOkAsync("history", "--no-trunc", "--format", "{{.ID}} {{.Size}} {{.Comment}}", image);
        Assert.Equal($"{id} 5B from the test", history);
        await fixture.DockerOkAsync("rmi", image);
    }

    [Fact]
    public async Task HistoryOfBusyboxShowsBothEntriesNewestFirst()
    {
        var history = await fixture.DockerOkAsync("history", "--format", "{{.ID}}|{{.CreatedBy}}", "busybox");
        Assert.Equal(new[] { $"{BusyboxId[7..19]}|CMD [\"sh\"]", "<missing>|busybox-static 1:1.35.0-4+deb12u1+b1 rootfs" }, history.Split('\n'));
    }

    [Fact]
    public async Task PruneDeletesDanglingImagesAndWithAllOnlyWhatTheFilterSelects()
    {
        var dangling = await fixture.DockerOkAsync("import", fixture.RootfsTar("dangling " + Guid.NewGuid()));
        var labelled = ImageDaemonFixture.NewName("prunable");
        var labelledId = await fixture.DockerOkAsync("import", "-c", "LABEL prune=me", fixture.RootfsTar("labelled " + Guid.NewGuid()), labelled);
        var pruned = await fixture.DockerOkAsync("image", "prune", "-f");
        Assert.Contains($"deleted: {dangling}", pruned);
        Assert.DoesNotContain(labelledId, pruned);
        var all = await fixture.DockerOkAsync("image", "prune", "-af", "--filter", "label=prune=me");
        Assert.Contains($"untagged: {labelled}:latest", all);
        Assert.Contains($"deleted: {labelledId}", all);
        Assert.Equal(BusyboxId, await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", "busybox"));
    }
}
