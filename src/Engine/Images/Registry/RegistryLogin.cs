namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// docker login: checks a user name and password against the registry (its /v2/ endpoint, through the challenge it
/// answers with) and, when the registry accepts them, stores them for later pulls and pushes.
/// </summary>
public sealed class RegistryLogin(ImageStoreOptions options, RegistryCredentialStore credentials, HttpMessageHandler? handler = null)
{
    /// <param name="serverAddress">As the CLI sends it: host[:port], a URL, or empty for Docker Hub.</param>
    public async Task LoginAsync(string? serverAddress, string username, string password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(username))
            throw new InvalidArgumentException("login: a user name is required");
        var host = RegistryHostOf(serverAddress);
        var credential = new RegistryCredential(username, password);
        using (var registry = new RegistryClient(host == ImageReference.DockerHubDomain ? "registry-1.docker.io" : host, options, null, handler, credential))
            await registry.CheckLoginAsync(cancellationToken);
        await credentials.SaveAsync(host, username, password, cancellationToken);
    }

    /// <summary>Docker Hub is "https://index.docker.io/v1/" to the CLI and docker.io to references.</summary>
    public static string RegistryHostOf(string? serverAddress)
    {
        var address = (serverAddress ?? "").Trim();
        if (address.Length == 0)
            return ImageReference.DockerHubDomain;
        if (address.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Authority.Length == 0)
                throw new InvalidArgumentException($"login: invalid server address \"{serverAddress}\"");
            address = uri.Authority;
        }
        address = address.TrimEnd('/');
        if (address.Contains('/'))
            address = address[..address.IndexOf('/')];
        return address is "index.docker.io" or "registry-1.docker.io" or "docker.io" ? ImageReference.DockerHubDomain : address;
    }
}
