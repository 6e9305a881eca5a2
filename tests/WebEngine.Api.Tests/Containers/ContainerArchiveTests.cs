using System.Formats.Tar;
using System.Net;
using System.Text;
using System.Text.Json;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Containers;

/// <summary>docker cp in and out, docker export, and archive paths that try to leave the container (../, symlinks, tar entries).</summary>
public sealed class ContainerArchiveTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task CopyOutAFileAndADirectory()
    {
        using var local = new TempDirectory("cp-out");
        var name = BusyboxDaemonFixture.NewName("cpout");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "mkdir -p /data/sub && echo one > /data/a.txt && echo two > /data/sub/b.txt && ln -s a.txt /data/link && sleep 300");
        await WaitForFileAsync(name, "/data/link");

        await fixture.DockerOkAsync("cp", $"{name}:/data/a.txt", local.Combine("a.txt"));
        Assert.Equal("one\n", File.ReadAllText(local.Combine("a.txt")));

        await fixture.DockerOkAsync("cp", $"{name}:/data", local.Combine("copy"));
        Assert.Equal("one\n", File.ReadAllText(local.Combine("copy", "a.txt")));
        Assert.Equal("two\n", File.ReadAllText(local.Combine("copy", "sub", "b.txt")));
        Assert.Equal("a.txt", new FileInfo(local.Combine("copy", "link")).LinkTarget);

        using var head = await fixture.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"containers/{name}/archive?path=/data/link"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var stat = JsonDocument.Parse(Convert.FromBase64String(head.Headers.GetValues("X-Docker-Container-Path-Stat").Single()));
        Assert.Equal("link", stat.RootElement.GetProperty("name").GetString());
        Assert.Equal("/data/a.txt", stat.RootElement.GetProperty("linkTarget").GetString());
        Assert.NotEqual(0u, stat.RootElement.GetProperty("mode").GetUInt32() & (1u << 27));

        var (code, _, stderr) = await fixture.Daemon.DockerAsync("cp", $"{name}:/data/nosuchfile", local.Combine("x"));
        Assert.NotEqual(0, code);
        Assert.Contains("Could not find the file /data/nosuchfile", stderr);
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task CopyInIsSeenByTheRunningProcess()
    {
        using var local = new TempDirectory("cp-in");
        File.WriteAllText(local.Combine("in.txt"), "hello from the host\n");
        Directory.CreateDirectory(local.Combine("tree", "deep"));
        File.WriteAllText(local.Combine("tree", "deep", "leaf.txt"), "leaf\n");
        var name = BusyboxDaemonFixture.NewName("cpin");
        // -s, not -f: cp creates a file before it writes it, so the loop must wait for the content.
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            "while [ ! -s /tmp/in.txt ] || [ ! -s /home/tree/deep/leaf.txt ]; do sleep 0.1; done; cat /tmp/in.txt /home/tree/deep/leaf.txt");
        await fixture.DockerOkAsync("cp", local.Combine("in.txt"), $"{name}:/tmp/");
        await fixture.DockerOkAsync("cp", local.Combine("tree"), $"{name}:/home/tree");
        Assert.Equal("0", await fixture.DockerOkAsync("wait", name));
        Assert.Equal("hello from the host\nleaf", await fixture.DockerOkAsync("logs", name));
        await fixture.DockerOkAsync("rm", name);
    }

    [Fact]
    public async Task CopyInKeepsTheArchiveOwnersAndSetuidOrGivesEverythingTheContainersUserWithCopyUidGid()
    {
        var root = BusyboxDaemonFixture.NewName("cpown");
        var nobody = BusyboxDaemonFixture.NewName("cpnobody");
        await fixture.DockerOkAsync("run", "-d", "--name", root, "busybox", "sleep", "300");
        await fixture.DockerOkAsync("run", "-d", "--name", nobody, "--user", "nobody", "busybox", "sleep", "300");
        try
        {
            // As dockerd: each entry keeps the owner the archive gives it, with copyUIDGID too when the container has no
            // user; with copyUIDGID and a user, everything is that user's. The setuid bit survives either way.
            await PutOwnedTreeAsync(root, "/tmp", "");
            await PutOwnedTreeAsync(root, "/home", "&copyUIDGID=1");
            await PutOwnedTreeAsync(nobody, "/tmp", "&copyUIDGID=1");
            Assert.Equal("1000:1001 750\n1000:1001 4755", await StatOwnedTreeAsync(root, "/tmp"));
            Assert.Equal("1000:1001 750\n1000:1001 4755", await StatOwnedTreeAsync(root, "/home"));
            Assert.Equal("65534:65534 750\n65534:65534 4755", await StatOwnedTreeAsync(nobody, "/tmp"));
        }
        finally
        {
            await fixture.Daemon.DockerAsync("rm", "-f", root, nobody);
        }
    }

    private async Task PutOwnedTreeAsync(string container, string path, string query)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "owned/") { Uid = 1000, Gid = 1001, Mode = (UnixFileMode)0b111_101_000 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "owned/tool")
            {
                Uid = 1000, Gid = 1001, Mode = UnixFileMode.SetUser | (UnixFileMode)0b111_101_101, DataStream = new MemoryStream("#!/bin/sh\n"u8.ToArray()),
            });
        }
        using var response = await fixture.Http.PutAsync($"containers/{container}/archive?path={path}{query}", new ByteArrayContent(tar.ToArray()));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<string> StatOwnedTreeAsync(string container, string path) =>
        fixture.DockerOkAsync("exec", container, "stat", "-c", "%u:%g %a", $"{path}/owned", $"{path}/owned/tool");

    [Fact]
    public async Task PathsAndLinksNeverReachTheHost()
    {
        using var secret = new TempDirectory("cp-secret");
        File.WriteAllText(secret.Combine("secret.txt"), "host only\n");
        var hostDirectory = secret.Path;
        var name = BusyboxDaemonFixture.NewName("escape");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            $"ln -s {hostDirectory} /abs && ln -s ../../../../../../..{hostDirectory} /rel && sleep 300");
        await WaitForFileAsync(name, "/rel");

        foreach (var path in new[] { $"/../../../../../..{hostDirectory}/secret.txt", "/abs/secret.txt", "/rel/secret.txt" })
        {
            using var response = await fixture.Http.GetAsync($"containers/{name}/archive?path={Uri.EscapeDataString(path)}");
            await BusyboxDaemonFixture.AssertErrorAsync(response, 404, "Could not find the file");
            var (code, stdout, _) = await fixture.Daemon.DockerAsync("cp", $"{name}:{path}", "-");
            Assert.NotEqual(0, code);
            Assert.DoesNotContain("host only", stdout);
        }

        // A tar entry that climbs out of the destination is refused, and nothing is written anywhere.
        await BusyboxDaemonFixture.AssertErrorAsync(
            await PutTarAsync(name, "/tmp", ("file", $"../../../../../../..{hostDirectory}/pwned.txt", "x")), 400, "outside the destination");
        Assert.False(File.Exists(Path.Combine(hostDirectory, "pwned.txt")));

        // Through a symlink the archive brings: the link is followed inside the container, not on the host.
        Assert.Equal(HttpStatusCode.OK, (await PutTarAsync(name, "/", ("symlink", "jump", hostDirectory), ("file", "jump/pwned.txt", "inside"))).StatusCode);
        Assert.False(File.Exists(Path.Combine(hostDirectory, "pwned.txt")));
        // And through the container's own absolute link: again inside the container.
        Assert.Equal(HttpStatusCode.OK, (await PutTarAsync(name, "/", ("file", "abs/pwned2.txt", "inside too"))).StatusCode);
        Assert.False(File.Exists(Path.Combine(hostDirectory, "pwned2.txt")));
        var (_, copied, _) = await fixture.Daemon.DockerAsync("cp", $"{name}:{hostDirectory}/pwned.txt", "-");
        Assert.Contains("inside", copied);
        Assert.Equal("host only\n", File.ReadAllText(secret.Combine("secret.txt")));

        await BusyboxDaemonFixture.AssertErrorAsync(await PutTarAsync(name, "/nosuchdir", ("file", "x", "x")), 404, "Could not find the file /nosuchdir");
        await BusyboxDaemonFixture.AssertErrorAsync(await PutTarAsync(name, "/bin/busybox", ("file", "x", "x")), 400, "not a directory");
        using var garbage = new ByteArrayContent(Encoding.UTF8.GetBytes(new string('x', 2000)));
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PutAsync($"containers/{name}/archive?path=/tmp", garbage), 400, "archive");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync($"containers/{name}/archive"), 400, "path cannot be empty");
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task ExportWritesTheRootFileSystem()
    {
        using var local = new TempDirectory("export");
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "echo marker > /marker.txt");
        await fixture.DockerOkAsync("wait", id);
        await fixture.DockerOkAsync("export", "-o", local.Combine("rootfs.tar"), id);
        var names = new Dictionary<string, string>();
        await using (var file = File.OpenRead(local.Combine("rootfs.tar")))
        {
            using var reader = new TarReader(file);
            while (reader.GetNextEntry() is { } entry)
                names[entry.Name] = entry.DataStream is { } data ? new StreamReader(data).ReadToEnd() : "";
        }
        Assert.Contains("bin/busybox", names.Keys);
        Assert.Contains("etc/passwd", names.Keys);
        Assert.Equal("marker\n", names["marker.txt"]);
        await fixture.DockerOkAsync("rm", id);
    }

    private Task<HttpResponseMessage> PutTarAsync(string container, string path, params (string Type, string Name, string Content)[] entries) =>
        ArchiveRequests.PutTarAsync(fixture.Http, container, path, entries);

    private Task WaitForFileAsync(string container, string path) => ArchiveRequests.WaitForFileAsync(fixture.Http, container, path);
}
