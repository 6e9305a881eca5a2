using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WebEngine.Api.Docker;

namespace WebEngine.Api.Auth;

/// <summary>
/// `Authorization: Bearer &lt;token&gt;`, or for the SignalR hubs `?access_token=&lt;token&gt;` (browsers cannot set
/// headers on a WebSocket). Failures are 401 with Docker's error body.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>True when the request presents a token this handler should judge.</summary>
    public static bool PresentsToken(HttpRequest request) => TokenOf(request) is not null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } secret)
            return AuthenticateResult.NoResult();
        var found = await tokens.AuthenticateAsync(secret, Context.RequestAborted);
        if (found is not { } token)
            return AuthenticateResult.Fail("invalid or revoked API token");
        var principal = WebEnginePrincipal.ForUser(token.User, Scheme.Name, tokenId: token.TokenId);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = await HandleAuthenticateOnceSafeAsync();
        await DockerErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            failure.Failure?.Message ?? "authentication required: send an API token in the Authorization header (Bearer)");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        DockerErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, AccessMiddleware.ForbiddenMessage(Context.User, null));

    private static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        if (request.Path.StartsWithSegments("/hubs") && request.Query["access_token"].ToString() is { Length: > 0 } queryToken)
            return queryToken;
        return null;
    }
}
