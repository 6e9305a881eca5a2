using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Engine.Host;

namespace WebEngine.Api.Docker;

/// <summary>`/_ping` and `/version`: what every Docker client asks first.</summary>
public static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapDockerSystem(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/_ping", ["GET", "HEAD"], (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            context.Response.Headers.Pragma = "no-cache";
            context.Response.Headers["Builder-Version"] = "1";
            context.Response.Headers["Swarm"] = "inactive";
            return HttpMethods.IsHead(context.Request.Method)
                ? Results.Text("", "text/plain; charset=utf-8")
                : Results.Text("OK", "text/plain; charset=utf-8");
        }).WithTags("System");

        app.MapGet("/version", (HostFacts host) => TypedResults.Ok(SystemInfo.Version(host))).WithTags("System");
        return app;
    }
}
