using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WebEngine.Api.Auth;

/// <summary>Wires authentication and the role checks: services, the middleware, and the /webengine endpoints.</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>The daemon's socket when the configuration names none (as the host's DaemonOptions).</summary>
    private const string DefaultUnixSocket = "/run/webengine/webengine.sock";

    private const string DataProtectionHostedService = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    /// <summary>
    /// Users, tokens, the schemes (unix socket, bearer token, cookie, picked per request by "WebEngine"), and
    /// authorization. Reads InitialAdminPassword, UnixSocket (made mode 0660) and DataRoot (for the cookie keys) from <paramref name="section"/>.
    /// </summary>
    public static IServiceCollection AddWebEngineAuth(this IServiceCollection services, IConfigurationSection section)
    {
        var options = new AuthOptions();
        section.Bind(options);
        services.AddSingleton(options);
        services.AddSingleton(new CredentialCheckCache(TimeProvider.System));
        services.AddSingleton<UserService>();
        services.AddSingleton(sp => new SignInThrottle(options, TimeProvider.System));
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<IWebEngineAuthorization, WebEngineAuthorization>();
        services.AddHostedService<InitialAdmin>();
        services.AddHostedService(sp => new UnixSocketMode(section["UnixSocket"] ?? DefaultUnixSocket, sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<UnixSocketMode>>()));

        // Cookies survive a restart only if the keys that sign them do: keep them in the data root, root-only.
        var keys = Directory.CreateDirectory(Path.Combine(section["DataRoot"] ?? "/var/lib/webengine", "keys"));
        File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("webengine");

        services.AddAuthentication(AuthSchemes.Default)
            .AddPolicyScheme(AuthSchemes.Default, "unix socket, API token or sign-in cookie", policy =>
                policy.ForwardDefaultSelector = context =>
                    context.CameThroughUnixSocket() ? AuthSchemes.UnixSocket
                    : ApiTokenAuthenticationHandler.PresentsToken(context.Request) ? AuthSchemes.Bearer
                    : AuthSchemes.Cookies)
            .AddScheme<AuthenticationSchemeOptions, UnixSocketAuthenticationHandler>(AuthSchemes.UnixSocket, null)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(AuthSchemes.Bearer, null)
            .AddCookie(AuthSchemes.Cookies, SignInCookie.Configure);
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// Data protection reads its key ring when a cookie or form token is first signed or checked, not at start: its hosted
    /// service would load the key files, and with them the XML stack (~4 MB resident), into a daemon that only the docker
    /// CLI may ever talk to. Call after every service is added (the dashboard's antiforgery adds data protection again).
    /// </summary>
    public static IServiceCollection LoadDataProtectionKeysOnFirstUse(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType?.FullName == DataProtectionHostedService)
                services.RemoveAt(i);
        }
        return services;
    }

    /// <summary>Authentication, then the request classifier's role check, then endpoint authorization ([Authorize] on pages and hubs).</summary>
    public static IApplicationBuilder UseWebEngineAuth(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseMiddleware<AccessMiddleware>();
        app.UseAuthorization();
        return app;
    }

    /// <summary>/webengine/signin, signout, me, users and tokens.</summary>
    public static IEndpointRouteBuilder MapWebEngineAuth(this IEndpointRouteBuilder app)
    {
        app.MapSignIn();
        app.MapUsers();
        app.MapTokens();
        return app;
    }
}
