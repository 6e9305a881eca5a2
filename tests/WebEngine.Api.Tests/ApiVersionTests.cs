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

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseSetting("WebEngine:DataRoot", _dir.Combine("data"));
            builder.UseSetting("WebEngine:UnixSocket", _dir.Combine("api.sock"));
            builder.UseSetting("WebEngine:HttpUrls:0", "");
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
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
        using var response = await factory.CreateClient().GetAsync("/v1.50/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("{\"message\":\"page not found\"}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VersionReportsTheKernelAndApiRange()
    {
        using var response = await factory.CreateClient().GetAsync("/v1.50/version");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("1.50", body.RootElement.GetProperty("ApiVersion").GetString());
        Assert.Equal("1.24", body.RootElement.GetProperty("MinAPIVersion").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), body.RootElement.GetProperty("KernelVersion").GetString());
    }
}
