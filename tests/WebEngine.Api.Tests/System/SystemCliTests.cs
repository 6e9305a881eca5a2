using System.Diagnostics;
using System.Text.Json;
using WebEngine.Api.Tests.Images;

namespace WebEngine.Api.Tests.SystemCommands;

/// <summary>docker info, system df and events (past with --since/--until, and live with a filter) against the real daemon.</summary>
public sealed class SystemCliTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>
{
    [Fact]
    public async Task InfoReportsRealCountsAndHostFacts()
    {
        var container = await fixture.DockerOkAsync("create", "busybox", "true");
        try
        {
            using var info = JsonDocument.Parse(await fixture.DockerOkAsync("info", "--format", "{{json .}}"));
            var root = info.RootElement;
            var containers = await fixture.GetJsonAsync("containers/json?all=1");
            Assert.Equal(containers.GetArrayLength(), root.GetProperty("Containers").GetInt32());
            Assert.True(root.GetProperty("ContainersStopped").GetInt32() >= 1);
            Assert.Equal((await fixture.GetJsonAsync("images/json")).GetArrayLength(), root.GetProperty("Images").GetInt32());
            Assert.Equal("overlay2", root.GetProperty("Driver").GetString());
            Assert.Equal(fixture.Daemon.DataRoot, root.GetProperty("DockerRootDir").GetString());
            Assert.Equal(Environment.ProcessorCount, root.GetProperty("NCPU").GetInt32());
            Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), root.GetProperty("KernelVersion").GetString());
            Assert.True(root.GetProperty("MemTotal").GetInt64() > 0);
            Assert.Equal("webengine-runtime", root.GetProperty("DefaultRuntime").GetString());
            Assert.True(root.GetProperty("Runtimes").TryGetProperty("runc", out _));
            Assert.Equal("cgroupfs", root.GetProperty("CgroupDriver").GetString());
            Assert.Contains(root.GetProperty("CgroupVersion").GetString(), new[] { "1", "2" });
            Assert.Equal("inactive", root.GetProperty("Swarm").GetProperty("LocalNodeState").GetString());
            Assert.Equal(root.GetProperty("ID").GetString(), (await fixture.GetJsonAsync("info")).GetProperty("ID").GetString());
            var text = await fixture.DockerOkAsync("info");
            Assert.Contains("Storage Driver: overlay2", text);
            Assert.Contains("Default Runtime: webengine-runtime", text);
        }
        finally
        {
            await fixture.DockerOkAsync("rm", container);
        }
    }

    [Fact]
    public async Task SystemDfCountsImagesContainersAndVolumes()
    {
        var volume = ImageDaemonFixture.NewName("dfvol");
        await fixture.DockerOkAsync("volume", "create", volume);
        var container = await fixture.DockerOkAsync("create", "-v", $"{volume}:/data", "busybox", "true");
        try
        {
            var table = await fixture.DockerOkAsync("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}");
            var rows = table.Split('\n').ToDictionary(r => r[..r.LastIndexOf(' ', r.LastIndexOf(' ') - 1)], r => r[(r.LastIndexOf(' ', r.LastIndexOf(' ') - 1) + 1)..]);
            var images = (await fixture.GetJsonAsync("images/json")).GetArrayLength();
            Assert.Equal($"{images} 1", rows["Images"]);
            Assert.StartsWith((await fixture.GetJsonAsync("containers/json?all=1")).GetArrayLength() + " ", rows["Containers"]);
            var df = await fixture.GetJsonAsync("system/df");
            Assert.True(df.GetProperty("LayersSize").GetInt64() > 1_900_000);
            var row = df.GetProperty("Volumes").EnumerateArray().Single(v => v.GetProperty("Name").GetString() == volume);
            Assert.Equal(1, row.GetProperty("UsageData").GetProperty("RefCount").GetInt32());
            var busybox = df.GetProperty("Images").EnumerateArray().Single(i => i.GetProperty("RepoTags").EnumerateArray().Any(t => t.GetString() == "busybox:latest"));
            Assert.True(busybox.GetProperty("Containers").GetInt32() >= 1);
            Assert.Contains(volume, await fixture.DockerOkAsync("system", "df", "-v"));
        }
        finally
        {
            await fixture.DockerOkAsync("rm", container);
            await fixture.DockerOkAsync("volume", "rm", volume);
        }
    }

    [Fact]
    public async Task EventsBetweenSinceAndUntilListThePastInOrder()
    {
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var volume = ImageDaemonFixture.NewName("evvol");
        var tag = ImageDaemonFixture.NewName("evtag");
        await fixture.DockerOkAsync("volume", "create", volume);
        await fixture.DockerOkAsync("tag", "busybox", tag);
        await fixture.DockerOkAsync("volume", "rm", volume);
        await fixture.DockerOkAsync("rmi", tag);
        await Task.Delay(1100);
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var events = await fixture.DockerOkAsync("events", "--since", start.ToUnixTimeSeconds().ToString(), "--until", until,
            "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"name\"}}");
        var lines = events.Split('\n').Where(l => l.Contains(volume) || l.Contains(tag)).ToList();
        Assert.Equal(new[]
        {
            $"volume create {volume} ",
            $"image tag sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4 {tag}:latest",
            $"volume destroy {volume} ",
            $"image untag sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4 {tag}:latest",
        }, lines);
        var onlyVolumes = await fixture.DockerOkAsync("events", "--since", start.ToUnixTimeSeconds().ToString(), "--until", until,
            "--filter", "type=volume", "--filter", $"volume={volume}", "--format", "{{.Action}}");
        Assert.Equal("create\ndestroy", onlyVolumes);
        var untilOnly = await fixture.DockerOkAsync("events", "--until", until, "--filter", $"volume={volume}", "--format", "{{.Action}}");
        Assert.Equal("create\ndestroy", untilOnly);
        using var raw = JsonDocument.Parse((await fixture.DockerOkAsync("events", "--since", start.ToUnixTimeSeconds().ToString(), "--until", until,
            "--filter", "type=image", "--filter", "event=tag", "--format", "{{json .}}")).Split('\n').First(l => l.Contains(tag)));
        Assert.Equal("tag", raw.RootElement.GetProperty("status").GetString());
        Assert.Equal("local", raw.RootElement.GetProperty("scope").GetString());
        Assert.True(raw.RootElement.GetProperty("timeNano").GetInt64() / 1_000_000_000 == raw.RootElement.GetProperty("time").GetInt64());
    }

    [Fact]
    public async Task LiveEventsFollowWithAFilter()
    {
        var volume = ImageDaemonFixture.NewName("live");
        var psi = new ProcessStartInfo("/usr/local/bin/docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOCKER_HOST"] = $"unix://{fixture.Daemon.Socket}";
        foreach (var arg in new[] { "events", "--filter", "type=volume", "--filter", $"volume={volume}", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}" })
            psi.ArgumentList.Add(arg);
        using var events = Process.Start(psi)!;
        try
        {
            // The stream is open once the CLI has its headers; give it a moment, then act.
            await Task.Delay(1500);
            await fixture.DockerOkAsync("tag", "busybox", volume + "-image");
            await fixture.DockerOkAsync("volume", "create", volume);
            await fixture.DockerOkAsync("volume", "rm", volume);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal($"volume create {volume}", await events.StandardOutput.ReadLineAsync(timeout.Token));
            Assert.Equal($"volume destroy {volume}", await events.StandardOutput.ReadLineAsync(timeout.Token));
        }
        finally
        {
            events.Kill();
            await events.WaitForExitAsync();
            await fixture.DockerOkAsync("rmi", volume + "-image");
        }
    }

    [Theory]
    [InlineData("events?since=yesterday", "invalid value for since")]
    [InlineData("events?until=1.2.3", "invalid value for until")]
    [InlineData("events?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D", "invalid filter 'colour'")]
    [InlineData("system/df?type=bogus", "unknown object type")]
    public async Task BadSystemQueriesAre400(string path, string message) =>
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync(path), 400, message);

    [Fact]
    public async Task BadLoginsAre4xx()
    {
        var content = new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("auth", content), 400, "invalid JSON");
        var empty = new StringContent("{\"serveraddress\":\"127.0.0.1:9\"}", System.Text.Encoding.UTF8, "application/json");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("auth", empty), 400, "user name and password are required");
    }
}
