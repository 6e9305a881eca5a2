using WebEngine.Api.Docker;
using WebEngine.Engine.Host;
using WebEngine.Web;

var builder = WebApplication.CreateBuilder(args);
var options = DaemonOptions.From(builder.Configuration);
builder.WebHost.ConfigureKestrel(kestrel => options.ConfigureListeners(kestrel));
builder.Services.AddSingleton<HostFacts>();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = null);

var app = builder.Build();
app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = DockerErrors.HandleAsync });
app.UseMiddleware<ApiVersionMiddleware>();
// Routing must see the path without its /v1.NN prefix, so it runs after the version middleware.
app.UseRouting();
app.MapDockerSystem();
app.MapFallback(context => DockerErrors.WriteAsync(context, StatusCodes.Status404NotFound, "page not found"));
app.Logger.LogInformation("WebEngine listening on {Socket} and {Urls}, data root {DataRoot}",
    options.UnixSocket, string.Join(", ", options.HttpUrls), options.DataRoot);
app.Run();

/// <summary>The daemon's entry point, visible to functional tests.</summary>
public partial class Program;
