using System.Text.Json;

namespace WebEngine.Api.Tests.Containers;

/// <summary>docker container prune on a daemon of its own (prune removes every stopped container it may see).</summary>
public sealed class ContainerPruneTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Fact]
    public async Task PruneRemovesStoppedContainersTheFiltersSelect()
    {
        var running = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "300");
        var keep = await fixture.DockerOkAsync("create", "--label", "keep=yes", "busybox", "true");
        var written = await fixture.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "dd if=/dev/zero of=/data bs=1024 count=256");
        var created = await fixture.DockerOkAsync("create", "busybox", "true");
        await fixture.DockerOkAsync("wait", written);

        // Nothing is older than 1h, so an until filter of 1h removes nothing.
        using (var none = JsonDocument.Parse(await (await fixture.Http.PostAsync("containers/prune?filters=%7B%22until%22%3A%5B%221h%22%5D%7D", null)).Content.ReadAsStringAsync()))
            Assert.Equal(0, none.RootElement.GetProperty("ContainersDeleted").GetArrayLength());

        var output = await fixture.DockerOkAsync("container", "prune", "-f", "--filter", "label!=keep=yes");
        Assert.Contains(written, output);
        Assert.Contains(created, output);
        Assert.DoesNotContain(keep, output);
        Assert.Contains("Total reclaimed space: 262.1kB", output);

        var left = (await fixture.DockerOkAsync("ps", "-aq", "--no-trunc")).Split('\n').Order().ToList();
        Assert.Equal(new[] { running, keep }.Order(), left);

        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("containers/prune?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D", null), 400, "invalid filter");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync("containers/prune?filters=%7B%22until%22%3A%5B%22whenever%22%5D%7D", null), 400, "whenever");
        await fixture.DockerOkAsync("rm", "-f", running, keep);
    }
}
