using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using WebEngine.Engine;
using WebEngine.Engine.Images.Registry;

namespace WebEngine.Api.Docker;

/// <summary>
/// The `X-Registry-Auth` header of pull and push: base64url JSON of {username, password, auth, serveraddress,
/// identitytoken}; `e30=` ({}) and an absent header mean "no login given", so the stored login applies.
/// </summary>
public static class RegistryAuthHeader
{
    public const string Name = "X-Registry-Auth";
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static RegistryCredential? Read(HttpRequest request)
    {
        var header = request.Headers[Name].ToString().Trim();
        if (header.Length == 0)
            return null;
        AuthConfigJson? config;
        try
        {
            config = JsonSerializer.Deserialize<AuthConfigJson>(DecodeBase64Url(header), Options);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InvalidArgumentException($"invalid {Name} header: {e.Message}", e);
        }
        return config is null ? null : ToCredential(config);
    }

    /// <summary>The `X-Registry-Config` header of POST /build: base64url JSON of {registry: AuthConfig}, every login the
    /// client holds. Entries without a login are left out; an absent header gives none.</summary>
    public static Dictionary<string, RegistryCredential> ReadConfig(HttpRequest request)
    {
        const string name = "X-Registry-Config";
        var header = request.Headers[name].ToString().Trim();
        var credentials = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
        if (header.Length == 0)
            return credentials;
        Dictionary<string, AuthConfigJson>? configs;
        try
        {
            configs = JsonSerializer.Deserialize<Dictionary<string, AuthConfigJson>>(DecodeBase64Url(header), Options);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new InvalidArgumentException($"invalid {name} header: {e.Message}", e);
        }
        foreach (var (registry, config) in configs ?? [])
        {
            if (config is not null && ToCredential(config, name) is { } credential)
                credentials[registry] = credential;
        }
        return credentials;
    }

    public static RegistryCredential? ToCredential(AuthConfigJson config, string header = Name)
    {
        if (!string.IsNullOrEmpty(config.Username))
            return new RegistryCredential(config.Username, config.Password ?? config.IdentityToken ?? "");
        if (!string.IsNullOrEmpty(config.Auth))
        {
            var pair = Encoding.UTF8.GetString(DecodeBase64Url(config.Auth));
            var colon = pair.IndexOf(':');
            if (colon <= 0)
                throw new InvalidArgumentException($"invalid {header} header: \"auth\" is not base64 of user:password");
            return new RegistryCredential(pair[..colon], pair[(colon + 1)..]);
        }
        return string.IsNullOrEmpty(config.IdentityToken) ? null : new RegistryCredential("<token>", config.IdentityToken);
    }

    private static byte[] DecodeBase64Url(string value)
    {
        var standard = value.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        return Convert.FromBase64String(standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '='));
    }
}

/// <summary>Docker's AuthConfig (the body of POST /auth, the JSON inside X-Registry-Auth).</summary>
public sealed record AuthConfigJson
{
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("password")] public string? Password { get; init; }
    [JsonPropertyName("auth")] public string? Auth { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("serveraddress")] public string? ServerAddress { get; init; }
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; init; }
    [JsonPropertyName("registrytoken")] public string? RegistryToken { get; init; }
}
