using WebEngine.Api;
using WebEngine.Api.Auth;
using WebEngine.Api.Docker;
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
builder.AddDashboard();
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
app.UseDashboardStaticFiles();
// Routing must see the path without its /v1.NN prefix, so it runs after the version middleware.
app.UseRouting();
app.UseWebEngineAuth();
app.UseWebEngineSwaggerUI();
app.MapDockerApi();
app.MapWebEngineApi();
app.MapDashboard();
app.MapFallback(context => DockerErrors.WriteAsync(context, StatusCodes.Status404NotFound, "page not found"));
app.Logger.LogInformation("WebEngine listening on {Socket} and {Urls}, data root {DataRoot}",
    options.UnixSocket, string.Join(", ", options.HttpUrls), options.DataRoot);
app.Run();

/// <summary>The daemon's entry point, visible to functional tests.</summary>
public partial class Program;
