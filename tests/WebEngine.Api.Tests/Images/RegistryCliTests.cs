using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Archives;
using WebEngine.Engine.Images.Registry;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Images;

/// <summary>
/// docker login, push and pull against a real registry (Debian's docker-registry on loopback, htpasswd auth): the
/// daemon checks the login with the registry, pushes with the credentials the CLI sends, pulls with streamed progress.
/// </summary>
public sealed class RegistryCliTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>, IDisposable
{
    private readonly RegistryFixture _registry = new("tester", "s3cret-pass");

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task LoginPushThenPullBackWithProgressAndDigest()
    {
        var repository = $"{_registry.Host}/team/{ImageDaemonFixture.NewName("box")}";
        await fixture.DockerOkAsync("tag", "busybox", repository + ":1");
        Assert.Contains("authentication required", await fixture.DockerFailsAsync("push", repository + ":1"));

        var refused = await LoginAsync("wrong-password");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("401 Unauthorized", refused.Stderr);
        var accepted = await LoginAsync(_registry.Password!);
        Assert.True(accepted.ExitCode == 0, accepted.Stderr);
        Assert.Contains("Login Succeeded", accepted.Stdout);

        var push = await fixture.DockerOkAsync("push", repository + ":1");
        Assert.Contains($"The push refers to repository [{repository}]", push);
        Assert.Contains("e2f59d1c949f: Pushed", push);
        Assert.Contains("1: digest: sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289", push);

        await fixture.DockerOkAsync("rmi", repository + ":1");
        var pull = await fixture.DockerOkAsync("pull", repository + ":1");
        Assert.Contains($"1: Pulling from {repository}", pull);
        Assert.Contains("Digest: sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289", pull);
        Assert.EndsWith($"{repository}:1", pull);
        var digests = await fixture.DockerOkAsync("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}", "--filter", $"reference={repository}");
        Assert.Equal($"{repository} 1 sha256:5ceea4822aa349dfbc18b393e996d5e7c6a2a2085ccd90af043904565b3ee289", digests);
        await fixture.DockerOkAsync("rmi", repository + ":1");
    }

    [Fact]
    public async Task PullOfAnImageCopiedInBySkopeoAndOfAMissingTag()
    {
        _registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "copied/busybox:7");
        var login = await LoginAsync(_registry.Password!);
        Assert.True(login.ExitCode == 0, login.Stderr);
        var pull = await fixture.DockerOkAsync("pull", $"{_registry.Host}/copied/busybox:7");
        Assert.Contains($"Status: Downloaded newer image for {_registry.Host}/copied/busybox:7", pull);
        Assert.Equal("sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4",
            await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Id}}", $"{_registry.Host}/copied/busybox:7"));
        Assert.Contains("manifest unknown", await fixture.DockerFailsAsync("pull", $"{_registry.Host}/copied/busybox:8"));
        await fixture.DockerOkAsync("rmi", $"{_registry.Host}/copied/busybox:7");

        // docker create (as docker run) of an image not here: the 404 makes the CLI pull it, with the login it holds.
        var (code, id, stderr) = await fixture.Daemon.DockerAsync("create", $"{_registry.Host}/copied/busybox:7", "true");
        Assert.True(code == 0, stderr);
        Assert.Contains($"Unable to find image '{_registry.Host}/copied/busybox:7' locally", stderr);
        await fixture.DockerOkAsync("rm", id.Trim());
        await fixture.DockerOkAsync("rmi", $"{_registry.Host}/copied/busybox:7");
    }

    /// <summary>
    /// docker pull --platform takes that platform from a multi-arch index (inspect shows it), a platform the index lacks
    /// is Docker's "no matching manifest", and running the arm64 image on this amd64 host fails with exec format error.
    /// </summary>
    [Fact]
    public async Task PullWithPlatformSelectsFromTheIndexAndAForeignImageFailsToRunWithExecFormatError()
    {
        var repository = $"{_registry.Host}/multi/{ImageDaemonFixture.NewName("app")}";
        await PushMultiArchIndexAsync(repository);
        var login = await LoginAsync(_registry.Password!);
        Assert.True(login.ExitCode == 0, login.Stderr);

        await fixture.DockerOkAsync("pull", "--platform", "linux/arm64", repository);
        Assert.Equal("linux/arm64", await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", repository));
        var (code, stdout, stderr) = await fixture.Daemon.DockerAsync("run", "--rm", "--network", "none", repository);
        Assert.True(code != 0, $"an arm64 binary ran on this host: {stdout}");
        Assert.True((stderr + stdout).Contains("exec format error"), stderr + stdout);

        Assert.Contains("no matching manifest for linux/s390x in the manifest list entries",
            await fixture.DockerFailsAsync("pull", "--platform", "linux/s390x", repository));
        await fixture.DockerOkAsync("pull", repository);
        Assert.Equal("linux/amd64", await fixture.DockerOkAsync("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", repository));
        Assert.Equal("ok", await fixture.DockerOkAsync("run", "--rm", "--network", "none", repository, "echo", "ok"));
        await fixture.DockerOkAsync("rmi", repository);
    }

    /// <summary>
    /// Pushes &lt;repository&gt;:latest as an OCI index of two images: linux/amd64 (busybox) and linux/arm64/v8, whose
    /// /hello is the header of an aarch64 ELF executable (enough for the kernel to refuse it with ENOEXEC).
    /// </summary>
    private async Task PushMultiArchIndexAsync(string repository)
    {
        using var scratch = new TempDirectory("webengine-multiarch");
        var credential = new RegistryCredential(_registry.Username!, _registry.Password!);
        var entries = new System.Text.Json.Nodes.JsonArray();
        foreach (var architecture in new[] { "amd64", "arm64" })
        {
            var options = new ImageStoreOptions { DataRoot = scratch.Combine(architecture), Architecture = architecture };
            var database = WebEngine.Data.WebEngineDatabase.Open(Path.Combine(options.DataRoot, "webengine.db"));
            var images = new ImageService(options, database);
            var tag = $"{repository}:{architecture}";
            if (architecture == "amd64")
            {
                await new ImageArchiveLoader(images).LoadAsync(RepoPaths.SharedImage("busybox-oci.tar"), null, CancellationToken.None);
                await images.TagAsync("busybox:latest", tag, CancellationToken.None);
            }
            else
                await new ImageImporter(images).ImportAsync(new MemoryStream(Aarch64ElfRootfs()), tag, ["CMD [\"/hello\"]"], null, CancellationToken.None);
            var digest = await new ImagePusher(images, null).PushAsync(tag, credential, null, CancellationToken.None);
            var platform = new System.Text.Json.Nodes.JsonObject { ["architecture"] = architecture, ["os"] = "linux" };
            if (architecture == "arm64")
                platform["variant"] = "v8";
            entries.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = digest.ToString(),
                ["size"] = images.Content.SizeOf(digest), ["platform"] = platform,
            });
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        var index = new System.Text.Json.Nodes.JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = entries };
        var reference = ImageReference.Parse(repository);
        using var client = new RegistryClient(_registry.Host, new ImageStoreOptions { DataRoot = scratch.Path }, null, null, credential);
        await client.PutManifestAsync(reference.Path, "latest", System.Text.Encoding.UTF8.GetBytes(index.ToJsonString()),
            "application/vnd.oci.image.index.v1+json", CancellationToken.None);
    }

    /// <summary>A rootfs tar holding /hello: a 64-byte ELF header for EM_AARCH64, executable.</summary>
    private static byte[] Aarch64ElfRootfs()
    {
        var header = new byte[64];
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.CopyTo(header, 0);
        header[16] = 2;      // e_type: ET_EXEC
        header[18] = 183;    // e_machine: EM_AARCH64
        header[20] = 1;      // e_version
        header[52] = 64;     // e_ehsize
        header[54] = 56;     // e_phentsize
        using var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "hello")
            {
                DataStream = new MemoryStream(header), Mode = (UnixFileMode)0b111_101_101,
            });
        }
        return tar.ToArray();
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> LoginAsync(string password) =>
        fixture.Daemon.DockerWithStdinAsync(password, "login", "-u", _registry.Username!, "--password-stdin", _registry.Host);
}
