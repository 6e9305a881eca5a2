using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WebEngine.Engine.Images.Content;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// The OCI distribution API of one registry host: manifests and blobs, with Docker's token auth (a 401's
/// WWW-Authenticate Bearer challenge is answered from the token endpoint) and basic auth, from stored logins.
/// Plain HTTP for loopback and configured insecure registries, HTTPS otherwise.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private static readonly string[] ManifestAccept =
        [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];

    /// <summary>A chunk is held in memory while it is sent; a registry asking for larger ones gets one monolithic PUT.</summary>
    private const long MaxChunkBuffer = 256 << 20;

    private readonly HttpClient _http;
    private readonly string _host;
    private readonly Uri _base;
    private readonly RegistryCredentialStore? _credentials;
    private readonly RegistryCredential? _credential;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorization = new();

    /// <param name="credential">The login to use (from the request, as X-Registry-Auth); when null, the stored login for the host.</param>
    public RegistryClient(string registryHost, ImageStoreOptions options, RegistryCredentialStore? credentials, HttpMessageHandler? handler = null,
        RegistryCredential? credential = null)
    {
        _host = registryHost;
        _credentials = credentials;
        _credential = credential;
        var scheme = IsPlainHttp(registryHost, options) ? "http" : "https";
        _base = new Uri($"{scheme}://{registryHost}/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("webengine/1.0");
    }

    /// <summary>The registry host (and port) this client talks to.</summary>
    public string Host => _host;

    /// <summary>GET a manifest or index by tag or digest; returns its bytes, media type and digest (of the bytes).</summary>
    public async Task<(byte[] Body, string MediaType, Digest Digest)> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, "pull", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/manifests/{reference}"));
            foreach (var type in ManifestAccept)
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, $"manifest {repository}:{reference}", cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (body.Length > 4 << 20)
            throw new InvalidArgumentException($"manifest {repository}:{reference} is larger than 4 MiB");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null or "application/json" or "text/plain")
            mediaType = SniffMediaType(body);
        return (body, mediaType, Digest.Of(body));
    }

    /// <summary>GET a blob; the caller verifies what it reads. Redirects (to storage) are followed.</summary>
    public async Task<HttpResponseMessage> GetBlobAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(repository, "pull", () => new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/blobs/{digest}")),
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, $"blob {repository}@{digest}", cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<bool> BlobExistsAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, "pull,push", () => new HttpRequestMessage(HttpMethod.Head, Url($"v2/{repository}/blobs/{digest}")),
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        await EnsureSuccessAsync(response, $"blob {repository}@{digest}", cancellationToken);
        return true;
    }

    /// <summary>
    /// Opens an upload session (POST). With <paramref name="mountFrom"/>, first asks the registry to mount the blob from
    /// that repository of the same registry: null is returned when it did (201), else the session it opened instead.
    /// </summary>
    public async Task<BlobUpload?> StartUploadAsync(string repository, Digest digest, string? mountFrom, CancellationToken cancellationToken)
    {
        var query = mountFrom is null ? "" : $"?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(mountFrom)}";
        var actions = mountFrom is null ? "pull,push" : $"pull,push repository:{mountFrom}:pull";
        using var response = await SendAsync(repository, actions, () => new HttpRequestMessage(HttpMethod.Post, Url($"v2/{repository}/blobs/uploads/{query}")),
            HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, $"start upload to {repository}", cancellationToken);
        if (mountFrom is not null && response.StatusCode == HttpStatusCode.Created)
            return null;
        var location = Resolve(response.Headers.Location) ?? throw new UnavailableException($"registry {_host}: upload to {repository} started without a Location");
        var minimum = response.Headers.NonValidated.TryGetValues("OCI-Chunk-Min-Length", out var values) && long.TryParse(values.FirstOrDefault(), out var min) ? min : 0;
        return new BlobUpload(location, minimum);
    }

    /// <summary>
    /// Sends a blob into an upload session: in PATCH chunks of <paramref name="chunkSize"/> bytes (at least the
    /// registry's minimum, OCI-Chunk-Min-Length) with Content-Range, closed by a PUT with the digest. A blob that fits one chunk, or a
    /// registry that refuses PATCH (405, 501), gets one monolithic PUT instead.
    /// </summary>
    public async Task UploadBlobAsync(string repository, BlobUpload upload, Digest digest, Func<Stream> open, long size, int chunkSize,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var chunk = Math.Max(chunkSize, upload.MinimumChunk);
        var chunked = size > chunk && chunk <= MaxChunkBuffer
            ? await SendChunksAsync(repository, upload.Location, open, size, (int)chunk, progress, cancellationToken)
            : null;
        var complete = chunked is not null;
        using var response = await SendAsync(repository, "pull,push", () =>
        {
            HttpContent content = complete ? new ByteArrayContent([]) : new StreamContent(open());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = complete ? 0 : size;
            return new HttpRequestMessage(HttpMethod.Put, WithQuery(chunked ?? upload.Location, "digest=" + Uri.EscapeDataString(digest.ToString()))) { Content = content };
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, $"upload of {digest} to {repository}", cancellationToken);
        progress?.Report(size);
    }

    /// <summary>PATCHes every chunk; returns the session's last location, or null when the registry refused the first PATCH.</summary>
    private async Task<Uri?> SendChunksAsync(string repository, Uri location, Func<Stream> open, long size, int chunk, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        await using var source = open();
        var buffer = new byte[chunk];
        for (long offset = 0; offset < size;)
        {
            var n = await source.ReadAtLeastAsync(buffer, (int)Math.Min(chunk, size - offset), throwOnEndOfStream: true, cancellationToken);
            var range = $"{offset}-{offset + n - 1}";
            var target = location;
            using var response = await SendAsync(repository, "pull,push", () =>
            {
                var content = new ByteArrayContent(buffer, 0, n);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.TryAddWithoutValidation("Content-Range", range);
                return new HttpRequestMessage(HttpMethod.Patch, target) { Content = content };
            }, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (offset == 0 && response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
                return null;
            await EnsureSuccessAsync(response, $"chunk {range} of an upload to {repository}", cancellationToken);
            if (response.Headers.NonValidated.TryGetValues("Range", out var ranges) && ranges.FirstOrDefault() is { } accepted && accepted != $"0-{offset + n - 1}")
                throw new UnavailableException($"registry {_host}: after the chunk {range} of an upload to {repository} it holds {accepted}");
            location = Resolve(response.Headers.Location) ?? location;
            offset += n;
            progress?.Report(offset);
        }
        return location;
    }

    private Uri? Resolve(Uri? location) => location is null ? null : location.IsAbsoluteUri ? location : new Uri(_base, location);

    private static Uri WithQuery(Uri target, string parameter) =>
        new(target.AbsoluteUri + (string.IsNullOrEmpty(target.Query) ? "?" : "&") + parameter);

    public async Task PutManifestAsync(string repository, string reference, byte[] body, string mediaType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, "pull,push", () =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Url($"v2/{repository}/manifests/{reference}")) { Content = content };
        }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, $"manifest {repository}:{reference}", cancellationToken);
    }

    /// <summary>
    /// docker login: GET /v2/ with the client's credential, answering the registry's challenge (a bearer token for no
    /// repository scope, or basic); a registry that still refuses throws <see cref="UnauthorizedException"/>.
    /// </summary>
    public async Task CheckLoginAsync(CancellationToken cancellationToken)
    {
        if (_credential is null)
            throw new InvalidArgumentException("login: no user name and password given");
        using var response = await SendAsync("", "", () => new HttpRequestMessage(HttpMethod.Get, Url("v2/")), HttpCompletionOption.ResponseContentRead,
            cancellationToken, loginCheck: true);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new UnauthorizedException($"login attempt to {Url("v2/")} failed with status: {(int)response.StatusCode} {response.ReasonPhrase}");
        await EnsureSuccessAsync(response, "login", cancellationToken);
    }

    /// <summary>
    /// Sends a request; on 401 answers the challenge once (fetching a bearer token for the repository scope, or
    /// sending basic credentials) and sends it again.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(string repository, string actions, Func<HttpRequestMessage> build,
        HttpCompletionOption completion, CancellationToken cancellationToken, bool loginCheck = false)
    {
        var scope = loginCheck ? "" : $"repository:{repository}:{actions}";
        for (var attempt = 0; ; attempt++)
        {
            using var request = build();
            if (_authorization.TryGetValue(scope, out var authorization))
                request.Headers.Authorization = authorization;
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new UnavailableException($"registry {_host}: {request.Method} {request.RequestUri?.AbsolutePath}: {e.Message}", e);
            }
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
                return response;
            var challenge = AuthChallenge.Parse(response.Headers.WwwAuthenticate.ToString());
            response.Dispose();
            _authorization[scope] = await AnswerAsync(challenge, scope, loginCheck, cancellationToken);
        }
    }

    private async Task<AuthenticationHeaderValue> AnswerAsync(AuthChallenge? challenge, string scope, bool loginCheck, CancellationToken cancellationToken)
    {
        var credential = _credential
            ?? (_credentials is null ? null : await _credentials.GetAsync(_host == "registry-1.docker.io" ? ImageReference.DockerHubDomain : _host, cancellationToken));
        if (challenge is null)
            throw new UnavailableException($"registry {_host}: 401 Unauthorized without a WWW-Authenticate challenge");
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (credential is null)
                throw new UnavailableException($"registry {_host}: authentication required (no login stored for {_host})");
            return Basic(credential);
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || !challenge.Parameters.TryGetValue("realm", out var realm))
            throw new UnavailableException($"registry {_host}: unsupported authentication challenge \"{challenge.Scheme}\"");
        var query = new StringBuilder("?client_id=webengine");
        // A request touching two repositories (a cross-repository mount) needs two scopes: one parameter each.
        foreach (var wanted in (challenge.Parameters.GetValueOrDefault("scope") ?? scope).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            query.Append("&scope=").Append(Uri.EscapeDataString(wanted));
        if (challenge.Parameters.TryGetValue("service", out var service))
            query.Append("&service=").Append(Uri.EscapeDataString(service));
        if (loginCheck && credential is not null)
            query.Append("&account=").Append(Uri.EscapeDataString(credential.Username));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(realm + (realm.Contains('?') ? "&" + query.ToString()[1..] : query.ToString())));
        if (credential is not null)
            request.Headers.Authorization = Basic(credential);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            if (loginCheck && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new UnauthorizedException($"login attempt to {realm} failed with status: {(int)response.StatusCode} {response.ReasonPhrase}");
            await EnsureSuccessAsync(response, $"token from {realm}", cancellationToken);
            var token = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken), ImageJsonContext.Default.RegistryToken);
            var value = token?.Token ?? token?.AccessToken ?? throw new UnavailableException($"registry {_host}: the token endpoint {realm} returned no token");
            return new AuthenticationHeaderValue("Bearer", value);
        }
        catch (HttpRequestException e)
        {
            throw new UnavailableException($"registry {_host}: token endpoint {realm}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new UnavailableException($"registry {_host}: token endpoint {realm} answered malformed JSON: {e.Message}", e);
        }
    }

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Secret}")));

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Length > 512)
            body = body[..512];
        var message = $"registry {_host}: {what}: {(int)response.StatusCode} {response.ReasonPhrase} {body.Trim()}";
        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(message),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new UnavailableException(message + " (check the login for this registry)"),
            HttpStatusCode.BadRequest => new InvalidArgumentException(message),
            _ => new UnavailableException(message),
        };
    }

    private Uri Url(string path) => new(_base, path);

    private static bool IsPlainHttp(string host, ImageStoreOptions options)
    {
        if (options.InsecureRegistries.Contains(host))
            return true;
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Some registries answer application/json: tell index from manifest by the fields present.</summary>
    private static string SniffMediaType(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.TryGetProperty("mediaType", out var declared) && declared.GetString() is { } type)
            return type;
        return document.RootElement.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An open blob upload session: where to send the data, and the smallest chunk the registry takes (0: any).</summary>
public sealed record BlobUpload(Uri Location, long MinimumChunk);
