using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace WebEngine.Api;

/// <summary>`/_ping`: the liveness probe every Docker client sends first.</summary>
public static class PingEndpoints
{
    public static IEndpointRouteBuilder MapPing(this IEndpointRouteBuilder app)
    {
        foreach (var pattern in new[] { "/_ping", "/v{version}/_ping" })
        {
            app.MapMethods(pattern, ["GET", "HEAD"], (HttpContext context) =>
            {
                context.Response.Headers["Api-Version"] = "1.50";
                context.Response.Headers["Ostype"] = "linux";
                context.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
                return Results.Text("OK", "text/plain; charset=utf-8");
            });
        }
        return app;
    }
}
