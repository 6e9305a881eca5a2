using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;

namespace WebEngine.Web.Components;

/// <summary>
/// The dashboard in the host: Blazor Server components with MudBlazor at "/" and under "/ui/...", the sign-in page at
/// "/signin", and the static files (the repository's wwwroot, copied beside the daemon by the build).
/// </summary>
public static class DashboardSetup
{
    /// <summary>
    /// The dashboard's services. The host also needs <c>UseStaticWebAssets()</c> on its web host: packages' static web
    /// assets (MudBlazor's css and js, blazor.web.js) are served from the build output's manifest outside Development
    /// too, so <c>dev.sh daemon</c> and the tests get them without a publish.
    /// </summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddScoped<ContainerActions>();
        services.AddScoped<UserAdministration>();
        return services;
    }

    /// <summary>Before routing: the fallback endpoint would otherwise claim every file path.</summary>
    public static IApplicationBuilder UseDashboardStaticFiles(this IApplicationBuilder app)
    {
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(webRoot))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(webRoot) });
        return app;
    }

    /// <summary>
    /// The pages and their static assets; the pipeline needs UseAntiforgery after authentication. The log download
    /// (<see cref="LogDownloadEndpoint.MapLogDownload"/>) is a plain endpoint that the host maps with the API.
    /// </summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
