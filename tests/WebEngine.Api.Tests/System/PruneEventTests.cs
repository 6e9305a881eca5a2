using System.Globalization;
using WebEngine.Api.Tests.Containers;

namespace WebEngine.Api.Tests.SystemCommands;

/// <summary>Each prune ends with Moby's event: type container/volume/network/image, action prune, no actor id, the bytes freed in "reclaimed".</summary>
public sealed class PruneEventTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task PrunesPublishTheSpaceTheyReclaimed()
    {
        var start = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var volume = BusyboxDaemonFixture.NewName("prunevol");
        await fixture.DockerOkAsync("run", "--rm", "-v", $"{volume}:/data", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /data/blob");
        await fixture.DockerOkAsync("run", "--name", BusyboxDaemonFixture.NewName("prunectr"), "busybox", "sh", "-c", "head -c 50000 /dev/zero > /file");
        await fixture.DockerOkAsync("network", "create", BusyboxDaemonFixture.NewName("prunenet"));

        await fixture.DockerOkAsync("container", "prune", "-f");
        await fixture.DockerOkAsync("volume", "prune", "-a", "-f");
        await fixture.DockerOkAsync("network", "prune", "-f");
        await fixture.DockerOkAsync("image", "prune", "-f");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        Dictionary<string, string> reclaimed;
        do
        {
            var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var lines = await fixture.DockerOkAsync("events", "--since", start, "--until", until, "--filter", "event=prune",
                "--format", "{{.Type}}|{{.Actor.ID}}|{{index .Actor.Attributes \"reclaimed\"}}");
            reclaimed = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))
                .Where(parts => parts[1] == "")
                .ToDictionary(parts => parts[0], parts => parts[2]);
        }
        while (reclaimed.Count < 4 && DateTime.UtcNow < deadline);

        Assert.Equal(["container", "image", "network", "volume"], reclaimed.Keys.Order());
        Assert.True(long.Parse(reclaimed["container"], CultureInfo.InvariantCulture) >= 50000, $"container prune reclaimed {reclaimed["container"]}");
        Assert.True(long.Parse(reclaimed["volume"], CultureInfo.InvariantCulture) >= 100000, $"volume prune reclaimed {reclaimed["volume"]}");
        Assert.Equal("0", reclaimed["network"]);
        Assert.True(long.TryParse(reclaimed["image"], CultureInfo.InvariantCulture, out _), reclaimed["image"]);
    }
}
