using System.Net;
using System.Text.Json;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The HTTP listener: nobody gets in without credentials, and each role gets exactly its part of the API.</summary>
[Collection(HttpListenerCollection.Name)]
public sealed class RoleTests(HttpListenerFixture fixture)
{
    [Theory]
    [InlineData("GET", "version")]
    [InlineData("GET", "v1.50/containers/json")]
    [InlineData("POST", "v1.50/containers/create")]
    [InlineData("GET", "webengine/users")]
    [InlineData("GET", "webengine/me")]
    [InlineData("GET", "swagger/v1/swagger.json")]
    [InlineData("GET", "ui/containers")]
    public async Task WithoutCredentialsEveryRequestIs401WithDockersBody(string method, string path)
    {
        using var http = fixture.Http();
        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? HttpListenerFixture.Json("{}") : null });
        await HttpListenerFixture.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "authentication required");
    }

    [Fact]
    public async Task AnUnknownOrMalformedTokenIs401()
    {
        using var http = fixture.Http("wet_notarealtoken");
        await HttpListenerFixture.AssertErrorAsync(await http.GetAsync("version"), HttpStatusCode.Unauthorized, "invalid or revoked API token");
        using var garbage = fixture.Http("garbage");
        await HttpListenerFixture.AssertErrorAsync(await garbage.GetAsync("version"), HttpStatusCode.Unauthorized, "invalid or revoked API token");
    }

    [Fact]
    public async Task ABrowserLoadingAPageIsSentToSignIn()
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "ui/containers?all=1");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{fixture.BaseAddress}signin?returnUrl=%2Fui%2Fcontainers%3Fall%3D1", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ThePingNeedsNoCredentials()
    {
        using var http = fixture.Http();
        Assert.Equal("OK", await http.GetStringAsync("_ping"));
    }

    [Fact]
    public async Task TheUnixSocketNeedsNoAuthenticationAndIsAdmin()
    {
        using var me = JsonDocument.Parse(await fixture.Unix.GetStringAsync("webengine/me"));
        Assert.Equal("root (unix socket)", me.RootElement.GetProperty("Name").GetString());
        Assert.Equal("admin", me.RootElement.GetProperty("Role").GetString());
        Assert.Equal(WebEngine.Api.Auth.UnixSocketMode.Mode, File.GetUnixFileMode(fixture.Daemon.Socket));
        var name = HttpListenerFixture.NewName("unix");
        await fixture.DockerOkAsync("create", "--name", name, "busybox", "true");
        await fixture.DockerOkAsync("rm", name);
    }

    [Fact]
    public async Task AHeaderCannotPassForTheUnixSocket()
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "webengine/me");
        request.Headers.Host = "unix";
        request.Headers.Add("X-Forwarded-For", "unix:/run/webengine/webengine.sock");
        await HttpListenerFixture.AssertErrorAsync(await http.SendAsync(request), HttpStatusCode.Unauthorized, "authentication required");
    }

    [Fact]
    public async Task AViewerReadsButEveryWriteIs403()
    {
        var name = HttpListenerFixture.NewName("viewed");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        using var viewer = fixture.Http(fixture.ViewerToken);
        using var list = JsonDocument.Parse(await viewer.GetStringAsync("v1.50/containers/json"));
        Assert.Contains(list.RootElement.EnumerateArray(), c => c.GetProperty("Names")[0].GetString() == "/" + name);
        var inspect = await viewer.GetAsync($"containers/{name}/json");
        Assert.Equal(HttpStatusCode.OK, inspect.StatusCode);

        await HttpListenerFixture.AssertErrorAsync(await viewer.PostAsync("v1.50/containers/create", HttpListenerFixture.Json("{\"Image\":\"busybox\"}")),
            HttpStatusCode.Forbidden, "vera (role viewer) may not do this; it needs the admin role");
        await HttpListenerFixture.AssertErrorAsync(await viewer.PostAsync($"v1.50/containers/{name}/stop", null),
            HttpStatusCode.Forbidden, "it needs the operator role");
        await HttpListenerFixture.AssertErrorAsync(await viewer.DeleteAsync($"containers/{name}?force=1"), HttpStatusCode.Forbidden, "admin role");
        await HttpListenerFixture.AssertErrorAsync(await viewer.GetAsync("webengine/users"), HttpStatusCode.Forbidden, "admin role");

        Assert.Equal("running", await fixture.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
        Assert.Equal(name, await fixture.DockerOkAsync("ps", "-a", "--filter", $"name={name}", "--format", "{{.Names}}"));
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task AnOperatorCanStopAndStartButNotRemove()
    {
        var name = HttpListenerFixture.NewName("operated");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");
        using var operatorClient = fixture.Http(fixture.OperatorToken);

        var stop = await operatorClient.PostAsync($"v1.50/containers/{name}/stop?t=1", null);
        Assert.True(stop.StatusCode == HttpStatusCode.NoContent, await stop.Content.ReadAsStringAsync());
        Assert.Equal("exited", await fixture.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));

        await HttpListenerFixture.AssertErrorAsync(await operatorClient.DeleteAsync($"v1.50/containers/{name}"), HttpStatusCode.Forbidden,
            "otto (role operator) may not do this; it needs the admin role");
        await HttpListenerFixture.AssertErrorAsync(await operatorClient.PostAsync("containers/create", HttpListenerFixture.Json("{\"Image\":\"busybox\"}")),
            HttpStatusCode.Forbidden, "admin role");
        Assert.Equal("exited", await fixture.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));

        var start = await operatorClient.PostAsync($"v1.50/containers/{name}/start", null);
        Assert.True(start.StatusCode == HttpStatusCode.NoContent, await start.Content.ReadAsStringAsync());
        Assert.Equal("running", await fixture.DockerOkAsync("inspect", "-f", "{{.State.Status}}", name));
        await fixture.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task AnAdminDoesEverything()
    {
        using var admin = fixture.Http(fixture.AdminToken);
        var name = HttpListenerFixture.NewName("admined");
        var create = await admin.PostAsync($"v1.50/containers/create?name={name}", HttpListenerFixture.Json("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"300\"]}"));
        Assert.True(create.StatusCode == HttpStatusCode.Created, await create.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"containers/{name}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"v1.50/containers/{name}?force=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"containers/{name}/json")).StatusCode);

        var user = await admin.PostAsync("webengine/users", HttpListenerFixture.Json("{\"Name\":\"temp-user\",\"Password\":\"temp-password\",\"Role\":\"operator\"}"));
        Assert.True(user.StatusCode == HttpStatusCode.Created, await user.Content.ReadAsStringAsync());
        using var users = JsonDocument.Parse(await admin.GetStringAsync("webengine/users"));
        Assert.Contains(users.RootElement.EnumerateArray(), u => u.GetProperty("Name").GetString() == "temp-user" && u.GetProperty("Role").GetString() == "operator");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("webengine/users/temp-user")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("webengine/users/temp-user")).StatusCode);
    }

    [Theory]
    [InlineData("{\"Name\":\"Bad Name\",\"Password\":\"long-enough\",\"Role\":\"viewer\"}", "invalid user name")]
    [InlineData("{\"Name\":\"shorty\",\"Password\":\"short\",\"Role\":\"viewer\"}", "at least 8 characters")]
    [InlineData("{\"Name\":\"rolly\",\"Password\":\"long-enough\",\"Role\":\"superuser\"}", "invalid role")]
    [InlineData("{\"Name\":\"broken\"", "invalid JSON")]
    [InlineData("", "invalid JSON")]
    [InlineData("null", "must be a JSON object")]
    public async Task BadUserRequestsAre400AndCreateNobody(string body, string message)
    {
        using var admin = fixture.Http(fixture.AdminToken);
        var before = (await admin.GetStringAsync("webengine/users")).Length;
        await HttpListenerFixture.AssertErrorAsync(await admin.PostAsync("webengine/users", HttpListenerFixture.Json(body)), HttpStatusCode.BadRequest, message);
        Assert.Equal(before, (await admin.GetStringAsync("webengine/users")).Length);
    }

    [Fact]
    public async Task TheLastAdminCannotBeRemovedOrDemotedAndNamesAreUnique()
    {
        using var admin = fixture.Http(fixture.AdminToken);
        await HttpListenerFixture.AssertErrorAsync(await admin.DeleteAsync("webengine/users/admin"), HttpStatusCode.Conflict, "last admin");
        await HttpListenerFixture.AssertErrorAsync(await admin.PatchAsync("webengine/users/admin", HttpListenerFixture.Json("{\"Role\":\"viewer\"}")),
            HttpStatusCode.Conflict, "last admin");
        await HttpListenerFixture.AssertErrorAsync(
            await admin.PostAsync("webengine/users", HttpListenerFixture.Json("{\"Name\":\"vera\",\"Password\":\"another-password\",\"Role\":\"admin\"}")),
            HttpStatusCode.Conflict, "already exists");
        await HttpListenerFixture.AssertErrorAsync(await admin.DeleteAsync("webengine/users/nobody"), HttpStatusCode.NotFound, "No such user: nobody");
    }

    [Fact]
    public async Task TheDockerCliWorksOverHttpWithATokenInItsConfig()
    {
        var name = HttpListenerFixture.NewName("overhttp");
        await fixture.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "300");

        var (code, stdout, stderr) = await fixture.DockerOverHttpAsync(fixture.ViewerToken, "ps", "--format", "{{.Names}}");
        Assert.True(code == 0, stderr);
        Assert.Contains(name, stdout.Split('\n'));
        (code, _, stderr) = await fixture.DockerOverHttpAsync(fixture.ViewerToken, "rm", "-f", name);
        Assert.NotEqual(0, code);
        Assert.Contains("permission denied: vera (role viewer) may not do this; it needs the admin role", stderr);

        (code, _, stderr) = await fixture.DockerOverHttpAsync(fixture.OperatorToken, "stop", "-t", "1", name);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = await fixture.DockerOverHttpAsync(null, "ps");
        Assert.NotEqual(0, code);
        Assert.Contains("authentication required", stderr);

        (code, _, stderr) = await fixture.DockerOverHttpAsync(fixture.AdminToken, "rm", name);
        Assert.True(code == 0, stderr);
    }
}
