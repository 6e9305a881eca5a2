using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WebEngine.Engine;
using WebEngine.Engine.Images.Registry;

namespace WebEngine.Api.Docker;

/// <summary>`POST /auth` (docker login): the registry checks the credentials; the daemon keeps them for pulls and pushes.</summary>
public static class AuthEndpoint
{
    private static readonly JsonSerializerOptions BodyOptions = new() { PropertyNameCaseInsensitive = true };

    public static async Task<IResult> PostAsync(HttpRequest request, RegistryLogin login)
    {
        AuthConfigJson? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AuthConfigJson>(request.Body, BodyOptions, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid JSON in the login request: {e.Message}", e);
        }
        var credential = (body is null ? null : RegistryAuthHeader.ToCredential(body))
            ?? throw new InvalidArgumentException("login: a user name and password are required");
        await login.LoginAsync(body!.ServerAddress, credential.Username, credential.Secret, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new AuthResponseJson("Login Succeeded", ""));
    }
}

public sealed record AuthResponseJson(string Status, string IdentityToken);
