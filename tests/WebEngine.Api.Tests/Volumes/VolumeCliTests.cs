using System.Net;
using System.Text;
using System.Text.Json;
using WebEngine.Api.Tests.Images;

namespace WebEngine.Api.Tests.Volumes;

/// <summary>docker volume create/ls/inspect/rm/prune with the real CLI, and the endpoints' answers to bad input.</summary>
public sealed class VolumeCliTests(ImageDaemonFixture fixture) : IClassFixture<ImageDaemonFixture>
{
    [Fact]
    public async Task CreateListInspectRemove()
    {
        var name = ImageDaemonFixture.NewName("data");
        Assert.Equal(name, await fixture.DockerOkAsync("volume", "create", "--label", "tier=db", "--label", "owner=test", name));
        Assert.Contains(name, (await fixture.DockerOkAsync("volume", "ls", "-q")).Split('\n'));
        Assert.Equal(name, await fixture.DockerOkAsync("volume", "ls", "-q", "--filter", "label=tier=db", "--filter", $"name={name}"));
        Assert.Equal("", await fixture.DockerOkAsync("volume", "ls", "-q", "--filter", "label=tier=web", "--filter", $"name={name}"));
        using var inspect = JsonDocument.Parse(await fixture.DockerOkAsync("volume", "inspect", name));
        var volume = inspect.RootElement[0];
        Assert.Equal(name, volume.GetProperty("Name").GetString());
        Assert.Equal("local", volume.GetProperty("Driver").GetString());
        Assert.Equal("local", volume.GetProperty("Scope").GetString());
        Assert.Equal("db", volume.GetProperty("Labels").GetProperty("tier").GetString());
        var mountpoint = volume.GetProperty("Mountpoint").GetString()!;
        Assert.Equal(Path.Combine(fixture.Daemon.DataRoot, "volumes", name, "_data"), mountpoint);
        Assert.True(Directory.Exists(mountpoint));
        Assert.True(DateTimeOffset.TryParse(volume.GetProperty("CreatedAt").GetString(), out _));
        Assert.Equal(name, await fixture.DockerOkAsync("volume", "rm", name));
        Assert.False(Directory.Exists(mountpoint));
        Assert.Contains("no such volume", await fixture.DockerFailsAsync("volume", "inspect", name));
        Assert.Contains("no such volume", await fixture.DockerFailsAsync("volume", "rm", name));
    }

    [Fact]
    public async Task AVolumeAContainerUsesCannotBeRemovedOrPruned()
    {
        var name = ImageDaemonFixture.NewName("used");
        await fixture.DockerOkAsync("volume", "create", name);
        var container = await fixture.DockerOkAsync("create", "-v", $"{name}:/data", "busybox", "true");
        Assert.Contains("volume is in use", await fixture.DockerFailsAsync("volume", "rm", name));
        Assert.Contains("volume is in use", await fixture.DockerFailsAsync("volume", "rm", "-f", name));
        Assert.DoesNotContain(name, await fixture.DockerOkAsync("volume", "prune", "-af"));
        Assert.Equal(name, await fixture.DockerOkAsync("volume", "inspect", "--format", "{{.Name}}", name));
        await fixture.DockerOkAsync("rm", container);
        Assert.Equal(name, await fixture.DockerOkAsync("volume", "rm", name));
    }

    [Fact]
    public async Task PruneRemovesAnonymousVolumesAndWithAllNamedOnesTheFilterSelects()
    {
        var anonymous = await fixture.DockerOkAsync("create", "-v", "/scratch", "busybox", "true");
        var anonymousVolume = await fixture.DockerOkAsync("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", anonymous);
        await fixture.DockerOkAsync("rm", anonymous);
        var keep = ImageDaemonFixture.NewName("keep");
        var drop = ImageDaemonFixture.NewName("drop");
        await fixture.DockerOkAsync("volume", "create", keep);
        await fixture.DockerOkAsync("volume", "create", "--label", "drop=yes", drop);
        var pruned = await fixture.DockerOkAsync("volume", "prune", "-f");
        Assert.DoesNotContain(keep, pruned);
        Assert.DoesNotContain(drop, pruned);
        if (anonymousVolume.Length > 0 && (await fixture.Daemon.DockerAsync("volume", "inspect", anonymousVolume)).ExitCode == 0)
            Assert.Contains(anonymousVolume, pruned);
        var all = await fixture.DockerOkAsync("volume", "prune", "-af", "--filter", "label=drop=yes");
        Assert.Contains(drop, all);
        Assert.DoesNotContain(keep, all);
        await fixture.DockerOkAsync("volume", "rm", keep);
    }

    [Theory]
    [InlineData("{\"Name\": 5}", 400, "invalid JSON")]
    [InlineData("{\"Name\": \"bad/name\"}", 400, "invalid characters")]
    [InlineData("{\"Name\": \"x\"", 400, "invalid JSON")]
    [InlineData("{\"Name\": \"opts\", \"DriverOpts\": {\"type\": \"nfs\"}}", 400, "takes no options")]
    [InlineData("{\"Name\": \"plug\", \"Driver\": \"nosuchdriver\"}", 404, "plugin \"nosuchdriver\" not found")]
    public async Task BadCreateBodiesAre4xxAndCreateNothing(string body, int status, string message)
    {
        var before = await fixture.DockerOkAsync("volume", "ls", "-q");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("volumes/create", new StringContent(body, Encoding.UTF8, "application/json")), status, message);
        Assert.Equal(before, await fixture.DockerOkAsync("volume", "ls", "-q"));
    }

    [Fact]
    public async Task BadFiltersAndUnknownNamesAre4xx()
    {
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("volumes?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D"), 400, "invalid filter 'colour'");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("volumes?filters=%7B"), 400, "invalid filter");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("volumes/prune?filters=%7B%22all%22%3A%5B%22maybe%22%5D%7D", null), 400, "invalid filter 'all=maybe'");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("volumes/nosuch"), 404, "no such volume");
        await ImageDaemonFixture.AssertErrorAsync(await fixture.Http.DeleteAsync("volumes/nosuch"), 404, "no such volume");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.DeleteAsync("volumes/nosuch?force=1")).StatusCode);
    }
}
