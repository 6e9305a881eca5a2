using WebEngine.Api;
using WebEngine.Api.Auth;
using WebEngine.Api.Docker;
using WebEngine.Api.Hubs;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Host;
using WebEngine.Web;
using WebEngine.Web.Components;

// The daemon's files (wwwroot, the static assets manifest, appsettings.json) lie beside its binary: it must not matter
// which directory it is started from (a Release publish started elsewhere served its fingerprinted assets empty).
// The slim builder leaves out what the daemon does not serve (IIS, HTTPS and HTTP/3 in Kestrel, regex route
// constraints, the debug and EventSource loggers), and so their assemblies stay unloaded.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var options = DaemonOptions.From(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel => options.ConfigureListeners(kestrel));
builder.Services.AddSingleton<HostFacts>();
builder.Services.AddWebEngine(engine => DaemonOptions.BindEngine(builder.Configuration, engine));
builder.Services.AddHostedService<EngineStartup>();
builder.Services.AddWebEngineApi(builder.Configuration);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = null);
// The dashboard's static web assets (its packages' css and js) are found through the host's web root.
builder.WebHost.UseStaticWebAssets();
builder.Services.LoadDataProtectionKeysOnFirstUse();
builder.Services.AddHostedService<IdleMemoryTrim>();

var app = builder.Build();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandler = DockerErrors.HandleAsync,
    // A 4xx is the client's mistake, answered with its reason: not an "unhandled exception" in the daemon's log.
    SuppressDiagnosticsCallback = context => DockerErrors.StatusCodeFor(context.Exception) < StatusCodes.Status500InternalServerError,
});
app.UseMiddleware<ApiVersionMiddleware>();
// GET /containers/{id}/attach/ws.
app.UseWebSockets();
// Routing must see the path without its /v1.NN prefix, so it runs after the version middleware.
app.UseRouting();
// What browsers, hub clients and Swagger use is built on the first request that is not for the Docker API or /webengine.
app.UseBranchForUnmatched(builder.Services, browserServices =>
{
    browserServices.AddWebEngineHubs();
    browserServices.AddWebEngineOpenApi();
    browserServices.AddDashboard();
}, browser =>
{
    // Before routing, so that the fallback does not claim the files.
    browser.UseDashboardStaticFiles();
    browser.UseRouting();
    browser.UseWebEngineAuth();
    browser.UseWebEngineSwaggerUI();
    browser.UseAntiforgery();
    browser.UseEndpoints(endpoints =>
    {
        endpoints.MapWebEngineHubs();
        endpoints.MapWebEngineOpenApi();
        endpoints.MapDashboard();
        endpoints.MapFallback(context => DockerErrors.WriteAsync(context, StatusCodes.Status404NotFound, "page not found"));
    });
});
app.UseWebEngineAuth();
app.MapDockerApi();
app.MapWebEngineApi();
app.MapLogDownload();
app.Logger.LogInformation("WebEngine listening on {Socket} and {Urls}, data root {DataRoot}",
    options.UnixSocket, string.Join(", ", options.HttpUrls), options.DataRoot);
app.Run();

/// <summary>The daemon's entry point, visible to functional tests.</summary>
public partial class Program;
