using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace WebEngine.Api.Auth;

/// <summary>
/// Enforces <see cref="RequestClassifier"/> on every request after authentication: nobody signed in → the scheme's
/// challenge (401, or a redirect to /signin for a browser); signed in without the role → 403, both with Docker's error
/// body. Endpoints marked AllowAnonymous are let through.
/// </summary>
public sealed class AccessMiddleware(RequestDelegate next, IWebEngineAuthorization authorization)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var action = authorization.Classify(context.Request.Method, context.Request.Path.Value ?? "/");
        if (action == WebEngineAction.Anonymous || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync();
            return;
        }
        if (IsCrossSiteCookieUse(context))
        {
            await Docker.DockerErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
                $"cross-origin request refused: {context.Request.Headers.Origin} may not use this site's sign-in cookie");
            return;
        }
        if (!authorization.Can(context.User, action))
        {
            await Docker.DockerErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenMessage(context.User, action));
            return;
        }
        await next(context);
    }

    /// <summary>
    /// A page of another origin making the browser send our cookie: a write, or a WebSocket (which browsers open
    /// across origins freely). SameSite does not help here, since every port of 127.0.0.1 is the same site, so the
    /// Origin header browsers send on these requests must be this host's own.
    /// </summary>
    private static bool IsCrossSiteCookieUse(HttpContext context)
    {
        if (context.User.Identity?.AuthenticationType != AuthSchemes.Cookies)
            return false;
        var request = context.Request;
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        var webSocket = request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (safe && !webSocket)
            return false;
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    public static string ForbiddenMessage(ClaimsPrincipal user, WebEngineAction? action)
    {
        var who = $"{user.Identity?.Name ?? "anonymous"} (role {user.Role() ?? "none"})";
        return action?.RequiredRole() is { } needed
            ? $"permission denied: {who} may not do this; it needs the {needed} role"
            : $"permission denied: {who} may not do this";
    }
}
