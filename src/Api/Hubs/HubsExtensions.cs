using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WebEngine.Api.Hubs;

/// <summary>The SignalR hubs: /hubs/logs, /hubs/events, /hubs/stats (any signed-in user; the viewer role may read them).</summary>
public static class HubsExtensions
{
    public static IServiceCollection AddWebEngineHubs(this IServiceCollection services)
    {
        services.AddSignalR();
        return services;
    }

    public static IEndpointRouteBuilder MapWebEngineHubs(this IEndpointRouteBuilder app)
    {
        app.MapHub<LogsHub>("/hubs/logs");
        app.MapHub<EventsHub>("/hubs/events");
        app.MapHub<StatsHub>("/hubs/stats");
        return app;
    }
}
