using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace WebEngine.Api.Tests;

/// <summary>Version prefixes, range checks, headers and the error format, through the real host in-process.</summary>
public sealed class ApiVersionTests(ApiVersionTests.Factory factory) : IClassFixture<ApiVersionTests.Factory>
{
    public sealed class Factory : WebApplicationFactory<Program>
    {
        private readonly WebEngine.TestSupport.TempDirectory _dir = new("webengine-api");
        // The host starts the whole engine: its state, cgroups and networking must be the test's own, never the
        // production defaults (/run/webengine, /webengine, bridge we0 and table webengine).
        private readonly WebEngine.TestSupport.TestNetworking _networking = WebEngine.TestSupport.TestNetworking.Create();
        private readonly string _cgroupParent = $"/webengine-test-{Guid.NewGuid():N}"[..28];

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseSetting("WebEngine:DataRoot", _dir.Combine("data"));
            builder.UseSetting("WebEngine:StateRoot", _dir.Combine("run"));
            builder.UseSetting("WebEngine:CgroupParent", _cgroupParent);
            builder.UseSetting("WebEngine:UnixSocket", _dir.Combine("api.sock"));
            builder.UseSetting("WebEngine:HttpUrls:0", "");
            builder.UseSetting("WebEngine:InitialAdminPassword", AdminPassword);
            foreach (var (key, value) in _networking.Settings())
                builder.UseSetting(key, value);
        }

        private const string AdminPassword = "api-version-tests-admin";

        /// <summary>
        /// A client signed in as the first admin: requests through the in-process test server are HTTP, not the unix
        /// socket, so everything but the liveness ping needs credentials.
        /// </summary>
        public async Task<HttpClient> SignedInClientAsync()
        {
            var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            using var response = await client.PostAsync("/webengine/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = "admin", ["password"] = AdminPassword, ["returnUrl"] = "/",
            }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return client;
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            _networking.Clean();
            WebEngine.TestSupport.EngineLeftovers.RemoveCgroupParent(_cgroupParent);
            _dir.Dispose();
        }
    }

    [Theory]
    [InlineData("/_ping")]
    [InlineData("/v1.24/_ping")]
    [InlineData("/v1.50/_ping")]
    public async Task PingAnswersOkWithTheNegotiationHeaders(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        Assert.Equal("1.50", response.Headers.GetValues("Api-Version").Single());
        Assert.Equal("linux", response.Headers.GetValues("Ostype").Single());
    }

    [Theory]
    [InlineData("/v1.12/version", "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version")]
    [InlineData("/v1.51/version", "client version 1.51 is too new. Maximum supported API version is 1.50")]
    public async Task VersionsOutOfRangeAre400WithDockersMessage(string path, string message)
    {
        using var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnknownPathIs404PageNotFoundAsExactJson()
    {
        using var client = await factory.SignedInClientAsync();
        using var response = await client.GetAsync("/v1.50/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("{\"message\":\"page not found\"}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VersionReportsTheKernelAndApiRange()
    {
        using var client = await factory.SignedInClientAsync();
        using var response = await client.GetAsync("/v1.50/version");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("1.50", body.RootElement.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", body.RootElement.GetProperty("MinAPIVersion").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), body.RootElement.GetProperty("KernelVersion").GetString());
    }
}
