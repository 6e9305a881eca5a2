using System.Net;
using System.Text;
using System.Text.Json;

namespace WebEngine.Api.Tests.Auth;

/// <summary>API tokens: created by their user, shown once, stored only as a hash, usable as a bearer token until revoked.</summary>
[Collection(HttpListenerCollection.Name)]
public sealed class TokenTests(HttpListenerFixture fixture)
{
    [Fact]
    public async Task ATokenIsCreatedUsedListedAndRevoked()
    {
        await fixture.CreateUserWithTokenAsync("tina", "viewer", "tinas-password");
        using var session = await SignInAsync("tina", "tinas-password");

        var created = await session.PostAsync("webengine/tokens", HttpListenerFixture.Json("{\"Name\":\"laptop\"}"));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        using var createdJson = JsonDocument.Parse(body);
        var secret = createdJson.RootElement.GetProperty("Token").GetString()!;
        var id = createdJson.RootElement.GetProperty("Id").GetInt64();
        Assert.StartsWith("wet_", secret);
        Assert.Equal("tina", createdJson.RootElement.GetProperty("User").GetString());

        using var bearer = fixture.Http(secret);
        using var me = JsonDocument.Parse(await bearer.GetStringAsync("webengine/me"));
        Assert.Equal("tina", me.RootElement.GetProperty("Name").GetString());
        Assert.Equal("viewer", me.RootElement.GetProperty("Role").GetString());
        Assert.Equal("Bearer", me.RootElement.GetProperty("AuthenticatedBy").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("v1.50/containers/json")).StatusCode);

        var listed = await session.GetStringAsync("webengine/tokens");
        Assert.DoesNotContain(secret, listed);
        using var list = JsonDocument.Parse(listed);
        var laptop = list.RootElement.EnumerateArray().Single(t => t.GetProperty("Name").GetString() == "laptop");
        Assert.Equal(id, laptop.GetProperty("Id").GetInt64());
        Assert.Equal(JsonValueKind.String, laptop.GetProperty("LastUsed").ValueKind);
        Assert.StartsWith(laptop.GetProperty("Prefix").GetString()!, secret);

        Assert.Equal(HttpStatusCode.NoContent, (await session.DeleteAsync($"webengine/tokens/{id}")).StatusCode);
        await HttpListenerFixture.AssertErrorAsync(await bearer.GetAsync("v1.50/containers/json"), HttpStatusCode.Unauthorized, "invalid or revoked API token");
        await HttpListenerFixture.AssertErrorAsync(await session.DeleteAsync($"webengine/tokens/{id}"), HttpStatusCode.NotFound, "No such token");
    }

    [Fact]
    public async Task OnlyTheSecretsHashIsStored()
    {
        var secret = await fixture.CreateTokenAsync("vera", "hash-check");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        var stored = new StringBuilder();
        foreach (var file in Directory.GetFiles(fixture.Daemon.DataRoot, "webengine.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            stored.Append(await reader.ReadToEndAsync());
        }
        Assert.Contains(hash, stored.ToString());
        Assert.DoesNotContain(secret, stored.ToString());
        Assert.DoesNotContain(secret[4..], stored.ToString());
    }

    [Fact]
    public async Task OnlyAnAdminManagesSomeoneElsesTokens()
    {
        using var viewer = fixture.Http(fixture.ViewerToken);
        await HttpListenerFixture.AssertErrorAsync(
            await viewer.PostAsync("webengine/tokens", HttpListenerFixture.Json("{\"Name\":\"stolen\",\"User\":\"admin\"}")),
            HttpStatusCode.Forbidden, "only an admin");
        await HttpListenerFixture.AssertErrorAsync(await viewer.GetAsync("webengine/tokens?user=admin"), HttpStatusCode.Forbidden, "only an admin");

        using var admin = fixture.Http(fixture.AdminToken);
        using var adminTokens = JsonDocument.Parse(await admin.GetStringAsync("webengine/tokens"));
        var adminTokenId = adminTokens.RootElement[0].GetProperty("Id").GetInt64();
        await HttpListenerFixture.AssertErrorAsync(await viewer.DeleteAsync($"webengine/tokens/{adminTokenId}"), HttpStatusCode.NotFound, "No such token");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("version")).StatusCode);

        using var veraTokens = JsonDocument.Parse(await admin.GetStringAsync("webengine/tokens?user=vera"));
        Assert.All(veraTokens.RootElement.EnumerateArray(), t => Assert.Equal("vera", t.GetProperty("User").GetString()));
    }

    [Fact]
    public async Task BadTokenRequestsAre400Or409()
    {
        using var viewer = fixture.Http(fixture.ViewerToken);
        await HttpListenerFixture.AssertErrorAsync(await viewer.PostAsync("webengine/tokens", HttpListenerFixture.Json("{}")), HttpStatusCode.BadRequest, "needs a name");
        await HttpListenerFixture.AssertErrorAsync(await viewer.PostAsync("webengine/tokens", HttpListenerFixture.Json("[1]")), HttpStatusCode.BadRequest, "invalid JSON");
        await HttpListenerFixture.AssertErrorAsync(await viewer.PostAsync("webengine/tokens", HttpListenerFixture.Json("{\"Name\":\"tests\"}")),
            HttpStatusCode.Conflict, "already has a token named tests");
        await HttpListenerFixture.AssertErrorAsync(await fixture.Unix.PostAsync("webengine/tokens", HttpListenerFixture.Json("{\"Name\":\"x\"}")),
            HttpStatusCode.BadRequest, "has no tokens of its own");
    }

    [Fact]
    public async Task ATokenActsWithItsUsersCurrentRole()
    {
        var token = await fixture.CreateUserWithTokenAsync("promoted", "viewer");
        using var client = fixture.Http(token);
        await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("containers/x/stop", null), HttpStatusCode.Forbidden, "operator role");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Unix.PatchAsync("webengine/users/promoted", HttpListenerFixture.Json("{\"Role\":\"operator\"}"))).StatusCode);
        await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("containers/nosuchcontainer/stop", null), HttpStatusCode.NotFound, "No such container");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Unix.DeleteAsync("webengine/users/promoted")).StatusCode);
        await HttpListenerFixture.AssertErrorAsync(await client.GetAsync("version"), HttpStatusCode.Unauthorized, "invalid or revoked");
    }

    private async Task<HttpClient> SignInAsync(string name, string password)
    {
        var client = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() });
        var response = await client.PostAsync("webengine/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = name, ["password"] = password, ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
