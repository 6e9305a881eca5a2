using System.Net;
using System.Text.Json;

namespace WebEngine.Api.Tests.Containers;

/// <summary>Bad requests to the container endpoints get Docker's 4xx with a JSON message, never a 500, and change nothing.</summary>
public sealed class ContainerBadInputTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    [Theory]
    [InlineData("{\"Image\":\"busybox\"", "invalid JSON")]
    [InlineData("{\"Image\":\"busybox\",\"Cmd\":\"true\"}", "invalid JSON")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"lots\"}}", "invalid JSON")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}", "invalid restart policy")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":3}}}", "maximum retry count")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"nfs\",\"Target\":\"/x\"}]}}", "mount type")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":1024}}", "Minimum memory limit")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}", "logging driver")]
    [InlineData("{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"relative:/x:zz\"]}}", "invalid")]
    [InlineData("", "config cannot be empty")]
    [InlineData("{}", "Image")]
    public async Task CreateWithABadBodyIs400AndCreatesNothing(string body, string message)
    {
        var before = await fixture.ContainerCountAsync();
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create", body), 400, message);
        Assert.Equal(before, await fixture.ContainerCountAsync());
    }

    [Theory]
    [InlineData("bad/name")]
    [InlineData("-leading-dash")]
    [InlineData("a")]
    public async Task CreateWithAnInvalidNameIs400(string name)
    {
        var before = await fixture.ContainerCountAsync();
        await BusyboxDaemonFixture.AssertErrorAsync(
            await fixture.PostJsonAsync($"containers/create?name={Uri.EscapeDataString(name)}", "{\"Image\":\"busybox\"}"), 400, "Invalid container name");
        Assert.Equal(before, await fixture.ContainerCountAsync());
    }

    [Fact]
    public async Task CreateOfAnUnknownImageIs404WithTheNormalizedReference()
    {
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync("containers/create", "{\"Image\":\"nosuchimage\"}"), 404,
            "No such image: nosuchimage:latest");
    }

    [Fact]
    public async Task ANameInUseIs409()
    {
        var name = BusyboxDaemonFixture.NewName("taken");
        var first = await fixture.PostJsonAsync($"containers/create?name={name}", "{\"Image\":\"busybox\"}");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var created = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("Id").GetString()!;
        Assert.Equal(0, created.RootElement.GetProperty("Warnings").GetArrayLength());
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync($"containers/create?name={name}", "{\"Image\":\"busybox\"}"), 409,
            $"The container name \"/{name}\" is already in use by container \"{id}\"");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.DeleteAsync($"containers/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "containers/nosuchcontainer/json")]
    [InlineData("POST", "containers/nosuchcontainer/start")]
    [InlineData("POST", "containers/nosuchcontainer/stop")]
    [InlineData("POST", "containers/nosuchcontainer/restart")]
    [InlineData("POST", "containers/nosuchcontainer/kill")]
    [InlineData("POST", "containers/nosuchcontainer/pause")]
    [InlineData("POST", "containers/nosuchcontainer/unpause")]
    [InlineData("POST", "containers/nosuchcontainer/wait")]
    [InlineData("POST", "containers/nosuchcontainer/rename?name=other")]
    [InlineData("DELETE", "containers/nosuchcontainer")]
    public async Task AnUnknownContainerIs404(string method, string path)
    {
        var response = await fixture.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await BusyboxDaemonFixture.AssertErrorAsync(response, 404, "No such container: nosuchcontainer");
    }

    [Fact]
    public async Task BadQueryValuesAre400AndLeaveTheContainerAlone()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "300");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/wait?condition=sometime", null), 400, "invalid condition");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/stop?t=soon", null), 400, "not an integer");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/kill?signal=SIGNOPE", null), 400, "SIGNOPE");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/resize?h=x&w=80", null), 400, "height");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("containers/json?filters=%7Bnope"), 400, "invalid filter");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("containers/json?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D"), 400, "invalid filter 'colour'");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.GetAsync("containers/json?filters=%7B%22status%22%3A%5B%22sleepy%22%5D%7D"), 400, "status=sleepy");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync($"containers/{id}/update", "{\"Memory\":\"big\"}"), 400, "invalid JSON");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.PostJsonAsync($"containers/{id}/update", "{\"RestartPolicy\":{\"Name\":\"maybe\"}}"), 400, "invalid restart policy");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/rename?name=no/slash", null), 400, "Invalid container name");
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.DeleteAsync($"containers/{id}"), 409, "container is running");

        var state = await fixture.InspectAsync(id);
        Assert.Equal("running", state.GetProperty("State").GetProperty("Status").GetString());
        Assert.Equal("no", state.GetProperty("HostConfig").GetProperty("RestartPolicy").GetProperty("Name").GetString());
        Assert.Equal(0, state.GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.DeleteAsync($"containers/{id}?force=1")).StatusCode);
    }

    [Fact]
    public async Task StartOfARunningContainerIs304AndStopOfAStoppedOneToo()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "300");
        Assert.Equal(HttpStatusCode.NotModified, (await fixture.Http.PostAsync($"containers/{id}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.PostAsync($"containers/{id}/stop?t=0", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await fixture.Http.PostAsync($"containers/{id}/stop", null)).StatusCode);
        await BusyboxDaemonFixture.AssertErrorAsync(await fixture.Http.PostAsync($"containers/{id}/kill", null), 409, "is not running");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.DeleteAsync($"containers/{id}")).StatusCode);
    }

    [Fact]
    public async Task WaitSendsItsHeadersBeforeTheContainerExits()
    {
        var id = await fixture.DockerOkAsync("create", "busybox", "sh", "-c", "exit 7");
        var request = new HttpRequestMessage(HttpMethod.Post, $"containers/{id}/wait?condition=next-exit");
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.PostAsync($"containers/{id}/start", null)).StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(7, answer.RootElement.GetProperty("StatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, answer.RootElement.GetProperty("Error").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.DeleteAsync($"containers/{id}")).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheContainerEndpoints()
    {
        using var response = await fixture.Http.GetAsync("/swagger/v1/swagger.json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        var paths = document.RootElement.GetProperty("paths");
        var create = paths.GetProperty("/containers/create").GetProperty("post");
        Assert.EndsWith("ContainerCreateBody", create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(paths.GetProperty("/containers/{id}/logs").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
            .TryGetProperty("application/vnd.docker.multiplexed-stream", out _));
        var archive = paths.GetProperty("/containers/{id}/archive");
        Assert.True(archive.TryGetProperty("get", out _) && archive.TryGetProperty("put", out _));
        foreach (var path in new[] { "/containers/{id}/wait", "/containers/{id}/stats", "/containers/{id}/top", "/containers/prune", "/containers/{id}/export", "/containers/{id}/update" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the document");
    }
}
