using System.Net;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Containers;

/// <summary>
/// docker cp sees what the container sees (its tmpfs and volumes while it runs, its volumes once stopped), refuses
/// writes to what is read-only with 403, and a container swapping a directory for a symlink to a host directory
/// while we copy never makes us read or write outside it.
/// </summary>
public sealed class ContainerArchiveMountTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task CopyInAndOutOfATmpfsAndAVolume()
    {
        using var local = new TempDirectory("cp-mounts");
        File.WriteAllText(local.Combine("in.txt"), "from the host\n");
        var name = BusyboxDaemonFixture.NewName("cpmnt");
        var volume = BusyboxDaemonFixture.NewName("cpvol");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "--tmpfs", "/scratch", "-v", $"{volume}:/data", "busybox", "sh", "-c",
            "echo tmpfs-made > /scratch/out.txt; echo volume-made > /data/out.txt; " +
            "while [ ! -f /scratch/in.txt ] || [ ! -f /data/in.txt ]; do sleep 0.1; done; cat /scratch/in.txt /data/in.txt; sleep 300");
        try
        {
            await ArchiveRequests.WaitForFileAsync(fixture.Http, name, "/data/out.txt");
            await ArchiveRequests.WaitForFileAsync(fixture.Http, name, "/scratch/out.txt");
            Assert.Equal("tmpfs-made\n", await CopyOutAsync(name, "/scratch/out.txt", local));
            Assert.Equal("volume-made\n", await CopyOutAsync(name, "/data/out.txt", local));

            await fixture.DockerOkAsync("cp", local.Combine("in.txt"), $"{name}:/scratch/");
            await fixture.DockerOkAsync("cp", local.Combine("in.txt"), $"{name}:/data/");
            await fixture.WaitForLogAsync(name, "from the host\nfrom the host");

            // Stopped: the tmpfs is gone with the process, the volume is still there and is laid over the rootfs.
            await fixture.DockerOkAsync("kill", name);
            await fixture.DockerOkAsync("wait", name);
            Assert.Equal("volume-made\n", await CopyOutAsync(name, "/data/out.txt", local));
            var (code, _, stderr) = await fixture.Daemon.DockerAsync("cp", $"{name}:/scratch/out.txt", "-");
            Assert.NotEqual(0, code);
            Assert.Contains("Could not find the file /scratch/out.txt", stderr);
            await fixture.DockerOkAsync("cp", local.Combine("in.txt"), $"{name}:/data/again.txt");
            Assert.Equal("from the host\n", await CopyOutAsync(name, "/data/again.txt", local));
        }
        finally
        {
            await fixture.Daemon.DockerAsync("rm", "-f", name);
            await fixture.Daemon.DockerAsync("volume", "rm", "-f", volume);
        }
    }

    [Fact]
    public async Task WritesToAReadOnlyRootfsOrVolumeAre403()
    {
        var name = BusyboxDaemonFixture.NewName("cpro");
        var readWrite = BusyboxDaemonFixture.NewName("cprw");
        var readOnly = BusyboxDaemonFixture.NewName("cpro");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "--read-only", "-v", $"{readWrite}:/rw", "-v", $"{readOnly}:/ro:ro", "busybox", "sleep", "300");
        try
        {
            foreach (var running in new[] { true, false })
            {
                await BusyboxDaemonFixture.AssertErrorAsync(await ArchiveRequests.PutTarAsync(fixture.Http, name, "/etc", ("file", "x.txt", "x")), 403, "read-only");
                await BusyboxDaemonFixture.AssertErrorAsync(await ArchiveRequests.PutTarAsync(fixture.Http, name, "/ro", ("file", "x.txt", "x")), 403, "read-only");
                using var allowed = await ArchiveRequests.PutTarAsync(fixture.Http, name, "/rw", ("file", $"ok-{running}.txt", "x"));
                Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
                using var absent = await fixture.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"containers/{name}/archive?path=/etc/x.txt"));
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
                if (running)
                {
                    await fixture.DockerOkAsync("kill", name);
                    await fixture.DockerOkAsync("wait", name);
                }
            }
            var (code, _, stderr) = await fixture.Daemon.DockerAsync("cp", "/etc/hostname", $"{name}:/etc/");
            Assert.NotEqual(0, code);
            Assert.Contains("read-only", stderr);
        }
        finally
        {
            await fixture.Daemon.DockerAsync("rm", "-f", name);
            await fixture.Daemon.DockerAsync("volume", "rm", "-f", readWrite, readOnly);
        }
    }

    [Fact]
    public async Task ADirectorySwappedForAHostSymlinkMidCopyNeverLeavesTheContainer()
    {
        using var secret = new TempDirectory("cp-swap");
        File.WriteAllText(secret.Combine("secret.txt"), "host only\n");
        var name = BusyboxDaemonFixture.NewName("cpswap");
        // /box keeps turning from a directory into a symlink to the host directory (absolute, and climbing with ../) and back.
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sh", "-c",
            $"mkdir /boxdir && echo inside > /boxdir/secret.txt && ln -s {secret.Path} /boxabs && ln -s ../../../../../../..{secret.Path} /boxrel && " +
            "while :; do mv /boxdir /box; mv /box /boxdir; mv /boxabs /box; mv /box /boxabs; mv /boxrel /box; mv /box /boxrel; done");
        try
        {
            for (var i = 0; i < 60; i++)
            {
                using var get = await fixture.Http.GetAsync($"containers/{name}/archive?path=/box/secret.txt");
                var body = await get.Content.ReadAsStringAsync();
                Assert.Contains((int)get.StatusCode, new[] { 200, 404 });
                Assert.DoesNotContain("host only", body);
                using var put = await ArchiveRequests.PutTarAsync(fixture.Http, name, "/box", ("file", "pwned.txt", "x"), ("file", "sub/pwned.txt", "x"));
                Assert.True((int)put.StatusCode is 200 or 400 or 404, $"{(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
                using var putThrough = await ArchiveRequests.PutTarAsync(fixture.Http, name, "/", ("file", "box/pwned2.txt", "x"));
                Assert.True((int)putThrough.StatusCode is 200 or 400, $"{(int)putThrough.StatusCode}: {await putThrough.Content.ReadAsStringAsync()}");
                Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(secret.Path).Select(Path.GetFileName));
            }
            Assert.Equal("host only\n", File.ReadAllText(secret.Combine("secret.txt")));
        }
        finally
        {
            await fixture.Daemon.DockerAsync("rm", "-f", name);
        }
    }

    /// <summary>docker cp of one file out of the container into a fresh local file; its content.</summary>
    private async Task<string> CopyOutAsync(string container, string path, TempDirectory local)
    {
        var target = local.Combine(Guid.NewGuid().ToString("N"));
        await fixture.DockerOkAsync("cp", $"{container}:{path}", target);
        return await File.ReadAllTextAsync(target);
    }
}
