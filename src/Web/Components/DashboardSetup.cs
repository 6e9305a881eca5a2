using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;

namespace WebEngine.Web.Components;

/// <summary>
/// The dashboard in the host: Blazor Server components with MudBlazor at "/" and under "/ui/...", the sign-in page at
/// "/signin", and the static files (the repository's wwwroot, copied beside the daemon by the build).
/// </summary>
public static class DashboardSetup
{
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        // Packages' static web assets (MudBlazor's css and js, blazor.web.js) are served from the build output's
        // manifest outside Development too, so `dev.sh daemon` and the tests get them without a publish.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<ContainerActions>();
        builder.Services.AddScoped<UserAdministration>();
        return builder;
    }

    /// <summary>Before routing: the Docker API's fallback endpoint would otherwise claim every file path.</summary>
    public static WebApplication UseDashboardStaticFiles(this WebApplication app)
    {
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(webRoot))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(webRoot) });
        return app;
    }

    /// <summary>After routing and authentication.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapLogDownload();
        return app;
    }
}
