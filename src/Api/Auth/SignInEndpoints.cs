using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.Docker;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;

namespace WebEngine.Api.Auth;

/// <summary>
/// Cookie sign-in for the dashboard (a plain HTML form posts username, password, returnUrl), sign-out, and who am I.
/// </summary>
public static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webengine").WithTags("Authentication");

        group.MapPost("/signin", SignInAsync).AllowAnonymous().DisableAntiforgery()
            .DescribesBody<SignInForm>("application/x-www-form-urlencoded")
            .ProducesEmpty(StatusCodes.Status302Found).ProducesDockerErrors(400, 401, 429);

        group.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthSchemes.Cookies);
            return SignInCookie.IsBrowserNavigation(context.Request) || AcceptsHtml(context.Request)
                ? Results.Redirect(SignInCookie.SignInPage)
                : Results.NoContent();
        }).AllowAnonymous().DisableAntiforgery().ProducesEmpty(StatusCodes.Status204NoContent);

        group.MapGet("/me", (ClaimsPrincipal user) =>
            TypedResults.Ok(new CurrentUserResponse(user.Identity!.Name!, user.Role() ?? "", user.Identity.AuthenticationType ?? "")));

        group.MapPost("/me/password", async (HttpContext context, UserService users, SignInThrottle throttle) =>
        {
            var request = await JsonBody.ReadAsync<ChangePasswordRequest>(context);
            if (context.User.UserId() is not { } id)
                throw new InvalidArgumentException($"{context.User.Identity?.Name} has no password to change");
            // The current password is checked here too: a stolen session must not become a way to guess it.
            var name = context.User.Identity!.Name!;
            var address = context.Connection.RemoteIpAddress;
            if (throttle.RetryAfter(name, address) is { } wait)
            {
                await WriteThrottledAsync(context, wait);
                return Results.Empty;
            }
            if (await users.ChangePasswordAsync(id, request.CurrentPassword ?? "", request.NewPassword ?? "", context.RequestAborted) is not { } changed)
            {
                throttle.Failed(name, address);
                throw new InvalidArgumentException("the current password is wrong");
            }
            throttle.Succeeded(name, address);
            var (user, stamp) = changed;
            // The new security stamp ended every session; this one goes on with a fresh cookie.
            if (context.User.Identity?.AuthenticationType == AuthSchemes.Cookies)
                await context.SignInAsync(AuthSchemes.Cookies, WebEnginePrincipal.ForUser(user, AuthSchemes.Cookies, stamp));
            return Results.NoContent();
        }).DescribesBody<ChangePasswordRequest>().ProducesEmpty(StatusCodes.Status204NoContent).ProducesDockerErrors(400, 429);
        return app;
    }

    /// <summary>The sign-in form's fields.</summary>
    public sealed record SignInForm(string Username, string Password, string? ReturnUrl);

    private static async Task<IResult> SignInAsync(HttpContext context, UserService users, SignInThrottle throttle)
    {
        if (!context.Request.HasFormContentType)
            throw new InvalidArgumentException("sign in with a form post: username, password, returnUrl");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var name = form["username"].ToString().Trim();
        var returnUrl = LocalUrlOrRoot(form["returnUrl"].ToString());
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(name, address) is { } wait)
        {
            if (AcceptsHtml(context.Request))
                return Results.Redirect($"{SignInCookie.SignInPage}?error=throttled&returnUrl={Uri.EscapeDataString(returnUrl)}");
            await WriteThrottledAsync(context, wait);
            return Results.Empty;
        }
        var verified = name.Length == 0 ? null : await users.VerifyPasswordAsync(name, form["password"].ToString(), context.RequestAborted);
        if (verified is not { } found)
        {
            throttle.Failed(name, address);
            if (AcceptsHtml(context.Request))
                return Results.Redirect($"{SignInCookie.SignInPage}?error=invalid&returnUrl={Uri.EscapeDataString(returnUrl)}");
            await DockerErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid user name or password");
            return Results.Empty;
        }
        throttle.Succeeded(name, address);
        var principal = WebEnginePrincipal.ForUser(found.User, AuthSchemes.Cookies, found.SecurityStamp);
        await context.SignInAsync(AuthSchemes.Cookies, principal);
        return Results.Redirect(returnUrl);
    }

    /// <summary>429 with Retry-After (whole seconds, rounded up) and a message that says how long.</summary>
    private static Task WriteThrottledAsync(HttpContext context, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return DockerErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests,
            $"too many failed sign-ins for this user or from this address: try again in {seconds} s");
    }

    /// <summary>Only paths on this host: "//evil.example" or "https://..." would make the form an open redirect.</summary>
    private static string LocalUrlOrRoot(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static bool AcceptsHtml(HttpRequest request) => request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
