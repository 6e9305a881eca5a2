using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WebEngine.Api.OpenApi;
using WebEngine.Engine;
using WebEngine.Engine.Host;
using WebEngine.Engine.Images;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Api.Docker;

/// <summary>`/_ping` and `/version` (what every Docker client asks first), `/info`, `/system/df`, `/events` and `/auth`.</summary>
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
        app.MapGet("/info", async (HostFacts host, EngineOptions engine, ContainerService containers, ImageService images, HttpContext context) =>
            TypedResults.Ok(await SystemInfo.InfoAsync(host, engine, containers, images, context.RequestAborted))).WithTags("System");
        app.MapGet("/system/df", DiskUsageEndpoint.GetAsync).WithTags("System").ProducesDockerErrors(400);
        app.MapGet("/events", EventEndpoint.GetAsync).WithTags("System").ProducesStream("application/json").ProducesDockerErrors(400);
        app.MapPost("/auth", AuthEndpoint.PostAsync).WithTags("System").DescribesBody<AuthConfigJson>().ProducesDockerErrors(400, 401, 503);
        return app;
    }
}
