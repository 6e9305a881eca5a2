using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WebEngine.Api.Auth;
using WebEngine.Api.Hubs;
using WebEngine.Api.OpenApi;

namespace WebEngine.Api;

/// <summary>What the host registers for the API besides the Docker routes: authentication, hubs, OpenAPI.</summary>
public static class WebEngineApiExtensions
{
    /// <summary>Adds authentication and roles, the SignalR hubs and the OpenAPI document; settings from the "WebEngine" section.</summary>
    public static IServiceCollection AddWebEngineApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWebEngineAuth(configuration.GetSection("WebEngine"));
        services.AddWebEngineHubs();
        services.AddWebEngineOpenApi();
        return services;
    }

    /// <summary>/webengine (sign-in, users, tokens), /hubs and /swagger/v1/swagger.json.</summary>
    public static IEndpointRouteBuilder MapWebEngineApi(this IEndpointRouteBuilder app)
    {
        app.MapWebEngineAuth();
        app.MapWebEngineHubs();
        app.MapWebEngineOpenApi();
        return app;
    }
}
