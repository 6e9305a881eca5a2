using System.Net;
using System.Text.Json;

namespace WebEngine.Api.Tests.Auth;

/// <summary>The dashboard's cookie sign-in: a form post, a redirect to where the user was going, sign-out, sessions ended by a password change.</summary>
[Collection(HttpListenerCollection.Name)]
public sealed class SignInTests(HttpListenerFixture fixture)
{
    [Fact]
    public async Task SignInSetsTheCookieAndSignOutEndsIt()
    {
        var cookies = new CookieContainer();
        using var browser = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies });
        var response = await browser.PostAsync("webengine/signin", Form("admin", HttpListenerFixture.AdminPassword, "/ui/containers?all=1"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/containers?all=1", response.Headers.Location!.OriginalString);
        var cookie = cookies.GetCookies(fixture.BaseAddress)["webengine.auth"];
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);

        using var me = JsonDocument.Parse(await browser.GetStringAsync("webengine/me"));
        Assert.Equal("admin", me.RootElement.GetProperty("Name").GetString());
        Assert.Equal("Cookies", me.RootElement.GetProperty("AuthenticatedBy").GetString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("v1.50/containers/json")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("webengine/signout", null)).StatusCode);
        await HttpListenerFixture.AssertErrorAsync(await browser.GetAsync("webengine/me"), HttpStatusCode.Unauthorized, "authentication required");
    }

    [Fact]
    public async Task AWrongPasswordIs401ForApiClientsAndBackToTheFormForBrowsers()
    {
        using var client = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("webengine/signin", Form("admin", "wrong-password", "/")),
            HttpStatusCode.Unauthorized, "invalid user name or password");
        await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("webengine/signin", Form("nobody", "wrong-password", "/")),
            HttpStatusCode.Unauthorized, "invalid user name or password");

        using var request = new HttpRequestMessage(HttpMethod.Post, "webengine/signin") { Content = Form("admin", "wrong-password", "/ui/images") };
        request.Headers.Accept.ParseAdd("text/html");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?error=invalid&returnUrl=%2Fui%2Fimages", response.Headers.Location!.OriginalString);
        await HttpListenerFixture.AssertErrorAsync(await client.GetAsync("webengine/me"), HttpStatusCode.Unauthorized, "authentication required");
    }

    [Fact]
    public async Task RepeatedWrongPasswordsAreRefusedWith429UntilTheLockoutEndsAndASuccessResetsTheCount()
    {
        var user = "throttled-" + Guid.NewGuid().ToString("N")[..6];
        await fixture.CreateUserWithTokenAsync(user, "viewer", "the-right-password");
        using var client = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        for (var i = 0; i < 4; i++)
            await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("webengine/signin", Form(user, "wrong-password", "/")), HttpStatusCode.Unauthorized, "invalid");
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("webengine/signin", Form(user, "the-right-password", "/"))).StatusCode);

        for (var i = 0; i < 5; i++)
            await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("webengine/signin", Form(user, "wrong-password", "/")), HttpStatusCode.Unauthorized, "invalid");
        // Locked out now: even the right password is refused, without being checked.
        var refused = await client.PostAsync("webengine/signin", Form(user, "the-right-password", "/"));
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        await HttpListenerFixture.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "too many failed sign-ins");
        Assert.True(retryAfter > TimeSpan.Zero && retryAfter <= TimeSpan.FromSeconds(30), $"Retry-After: {retryAfter}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "webengine/signin") { Content = Form(user, "the-right-password", "/ui") };
        request.Headers.Accept.ParseAdd("text/html");
        Assert.Equal("/signin?error=throttled&returnUrl=%2Fui", (await client.SendAsync(request)).Headers.Location!.OriginalString);
        // Another user from the same address is not locked out by it.
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("webengine/signin", Form("admin", HttpListenerFixture.AdminPassword, "/"))).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        HttpResponseMessage signIn;
        while ((signIn = await client.PostAsync("webengine/signin", Form(user, "the-right-password", "/"))).StatusCode == HttpStatusCode.TooManyRequests
               && DateTime.UtcNow < deadline)
            await Task.Delay(1000);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("")]
    public async Task TheReturnUrlStaysOnThisHost(string returnUrl)
    {
        using var client = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var response = await client.PostAsync("webengine/signin", Form("admin", HttpListenerFixture.AdminPassword, returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ChangingThePasswordEndsOtherSessionsButKeepsThisOne()
    {
        await fixture.CreateUserWithTokenAsync("paula", "viewer", "first-password");
        using var laptop = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        using var phone = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        Assert.Equal(HttpStatusCode.Redirect, (await laptop.PostAsync("webengine/signin", Form("paula", "first-password", "/"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await phone.PostAsync("webengine/signin", Form("paula", "first-password", "/"))).StatusCode);

        await HttpListenerFixture.AssertErrorAsync(
            await laptop.PostAsync("webengine/me/password", HttpListenerFixture.Json("{\"CurrentPassword\":\"wrong-one\",\"NewPassword\":\"second-password\"}")),
            HttpStatusCode.BadRequest, "current password is wrong");
        var changed = await laptop.PostAsync("webengine/me/password", HttpListenerFixture.Json("{\"CurrentPassword\":\"first-password\",\"NewPassword\":\"second-password\"}"));
        Assert.True(changed.StatusCode == HttpStatusCode.NoContent, await changed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("webengine/me")).StatusCode);
        await HttpListenerFixture.AssertErrorAsync(await phone.GetAsync("webengine/me"), HttpStatusCode.Unauthorized, "authentication required");
        await HttpListenerFixture.AssertErrorAsync(await phone.PostAsync("webengine/signin", Form("paula", "first-password", "/")),
            HttpStatusCode.Unauthorized, "invalid user name or password");
        Assert.Equal(HttpStatusCode.Redirect, (await phone.PostAsync("webengine/signin", Form("paula", "second-password", "/"))).StatusCode);
    }

    [Fact]
    public async Task AnotherOriginCannotWriteWithTheCookie()
    {
        using var browser = fixture.Http(handler: new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("webengine/signin", Form("admin", HttpListenerFixture.AdminPassword, "/"))).StatusCode);
        var name = HttpListenerFixture.NewName("csrf");

        // Another local web server's page (every port of 127.0.0.1 is the same site, so SameSite lets the cookie through).
        using var forged = new HttpRequestMessage(HttpMethod.Post, $"v1.50/containers/create?name={name}")
        {
            Content = new StringContent("{\"Image\":\"busybox\"}", System.Text.Encoding.UTF8, "text/plain"),
        };
        forged.Headers.Add("Origin", "http://127.0.0.1:8080");
        await HttpListenerFixture.AssertErrorAsync(await browser.SendAsync(forged), HttpStatusCode.Forbidden, "cross-origin request refused");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Unix.GetAsync($"containers/{name}/json")).StatusCode);

        using var socket = new HttpRequestMessage(HttpMethod.Get, "hubs/events?id=x");
        socket.Headers.Add("Origin", "http://evil.example");
        socket.Headers.Add("Upgrade", "websocket");
        socket.Headers.Add("Connection", "Upgrade");
        await HttpListenerFixture.AssertErrorAsync(await browser.SendAsync(socket), HttpStatusCode.Forbidden, "cross-origin request refused");

        // The dashboard's own pages send their own origin; reads from anywhere are harmless.
        using var own = new HttpRequestMessage(HttpMethod.Post, $"v1.50/containers/create?name={name}") { Content = HttpListenerFixture.Json("{\"Image\":\"busybox\"}") };
        own.Headers.Add("Origin", fixture.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(own)).StatusCode);
        using var read = new HttpRequestMessage(HttpMethod.Get, $"containers/{name}/json");
        read.Headers.Add("Origin", "http://127.0.0.1:8080");
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(read)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Unix.DeleteAsync($"containers/{name}")).StatusCode);
    }

    [Fact]
    public async Task SignInWithoutAFormIs400()
    {
        using var client = fixture.Http();
        await HttpListenerFixture.AssertErrorAsync(await client.PostAsync("webengine/signin", HttpListenerFixture.Json("{\"username\":\"admin\"}")),
            HttpStatusCode.BadRequest, "form post");
    }

    private static FormUrlEncodedContent Form(string username, string password, string returnUrl) => new(new Dictionary<string, string>
    {
        ["username"] = username, ["password"] = password, ["returnUrl"] = returnUrl,
    });
}
