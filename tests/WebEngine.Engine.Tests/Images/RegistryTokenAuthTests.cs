using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WebEngine.Engine.Images.Registry;
using WebEngine.TestSupport;

namespace WebEngine.Engine.Tests.Images;

/// <summary>
/// Docker's token auth, end to end: an in-process gate in front of the real registry answers /v2/ requests
/// without a bearer token with a WWW-Authenticate Bearer challenge and serves tokens at the realm for a basic login.
/// </summary>
public sealed class RegistryTokenAuthTests
{
    [Fact]
    public async Task PullFetchesABearerTokenFromTheChallengeRealmWithTheStoredLogin()
    {
        using var registry = new RegistryFixture();
        registry.CopyIn($"oci-archive:{RepoPaths.SharedImage("busybox-oci.tar")}:busybox:latest", "guarded/busybox:latest");
        using var store = new ImageStoreFixture();
        var credentials = new RegistryCredentialStore(store.Database, store.DataRoot);
        using var gate = new TokenGate(registry.Host, "robot", "token-pass");

        var refused = await Assert.ThrowsAsync<UnavailableException>(() =>
            new ImagePuller(store.Images, credentials, gate).PullAsync($"{registry.Host}/guarded/busybox", null, CancellationToken.None));
        Assert.Contains("401", refused.Message);

        await credentials.SaveAsync(registry.Host, "robot", "token-pass", CancellationToken.None);
        var image = await new ImagePuller(store.Images, credentials, gate).PullAsync($"{registry.Host}/guarded/busybox", null, CancellationToken.None);

        Assert.Equal("sha256:f846067098728d0c389893632133bccbfa436b32f6113f9a05f9a4846c74f6b4", image.Id);
        // One token for the repository's pull scope, reused for the manifest, config and layer requests.
        Assert.Equal(["repository:guarded/busybox:pull"], gate.GrantedScopes);
        Assert.True(gate.ForwardedWithToken >= 3);
    }

    [Theory]
    [InlineData("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"",
        "Bearer", "https://auth.docker.io/token", "registry.docker.io", "repository:library/busybox:pull")]
    [InlineData("Basic realm=\"webengine-test\"", "Basic", "webengine-test", null, null)]
    [InlineData("bearer realm=https://h/t, service=s", "bearer", "https://h/t", "s", null)]
    public void ParsesChallenges(string header, string scheme, string realm, string? service, string? scope)
    {
        var challenge = AuthChallenge.Parse(header)!;
        Assert.Equal(scheme, challenge.Scheme);
        Assert.Equal(realm, challenge.Parameters["realm"]);
        Assert.Equal(service, challenge.Parameters.GetValueOrDefault("service"));
        Assert.Equal(scope, challenge.Parameters.GetValueOrDefault("scope"));
    }

    private sealed class TokenGate(string registryHost, string username, string password) : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly List<string> _granted = [];
        private int _forwarded;

        public IReadOnlyList<string> GrantedScopes
        {
            get
            {
                lock (_granted)
                    return _granted.ToList();
            }
        }

        public int ForwardedWithToken => _forwarded;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (uri.AbsolutePath == "/token")
            {
                var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
                if (request.Headers.Authorization is not { Scheme: "Basic" } basic || basic.Parameter != expected)
                    return new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("""{"details":"bad login"}""") };
                var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
                if (query["service"] != "test-registry")
                    return new HttpResponseMessage(HttpStatusCode.BadRequest);
                lock (_granted)
                    _granted.Add(query["scope"]!);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"token":"granted {{query["scope"]}}"}""") };
            }
            var repository = uri.AbsolutePath.StartsWith("/v2/", StringComparison.Ordinal) && uri.AbsolutePath.Contains("/manifests/")
                ? uri.AbsolutePath[4..uri.AbsolutePath.IndexOf("/manifests/", StringComparison.Ordinal)]
                : uri.AbsolutePath.Contains("/blobs/") ? uri.AbsolutePath[4..uri.AbsolutePath.IndexOf("/blobs/", StringComparison.Ordinal)] : "";
            var scope = $"repository:{repository}:pull";
            if (request.Headers.Authorization is not { Scheme: "Bearer" } bearer || bearer.Parameter != $"granted {scope}")
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer",
                    $"realm=\"http://{registryHost}/token\",service=\"test-registry\",scope=\"{scope}\""));
                return challenge;
            }
            Interlocked.Increment(ref _forwarded);
            request.Headers.Authorization = null;
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
