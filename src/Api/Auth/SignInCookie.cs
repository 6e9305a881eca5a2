using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Api.Docker;

namespace WebEngine.Api.Auth;

/// <summary>
/// The dashboard's sign-in cookie: checked against the database on every request (a changed password or role, or a
/// removed user, ends the session), and its challenges answered the Docker way except for a browser's page load,
/// which is sent to the sign-in page.
/// </summary>
public static class SignInCookie
{
    public const string CookieName = "webengine.auth";
    public const string SignInPage = "/signin";

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        // Lax keeps the cookie off cross-site POSTs, which is what would let another site drive the API.
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = TimeSpan.FromHours(12);
        options.SlidingExpiration = true;
        options.LoginPath = SignInPage;
        options.ReturnUrlParameter = "returnUrl";
        options.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = ValidateAsync,
            OnRedirectToLogin = context => BrowserOrDockerAsync(context, StatusCodes.Status401Unauthorized, "authentication required: sign in, or send an API token in the Authorization header (Bearer)"),
            OnRedirectToAccessDenied = context => BrowserOrDockerAsync(context, StatusCodes.Status403Forbidden, AccessMiddleware.ForbiddenMessage(context.HttpContext.User, null), redirect: false),
        };
    }

    /// <summary>A plain page load by a browser (not fetch, not an API client).</summary>
    public static bool IsBrowserNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
        var current = principal?.UserId() is { } id && principal.FindFirstValue(WebEnginePrincipal.SecurityStampClaim) is { } stamp
            ? await users.FindCurrentAsync(id, stamp, context.HttpContext.RequestAborted)
            : null;
        if (current is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSchemes.Cookies);
        }
    }

    private static Task BrowserOrDockerAsync(RedirectContext<CookieAuthenticationOptions> context, int status, string message, bool redirect = true)
    {
        if (redirect && IsBrowserNavigation(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        return DockerErrors.WriteAsync(context.HttpContext, status, message);
    }
}
