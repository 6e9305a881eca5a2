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
    /// <summary>
    /// Adds authentication and roles; settings from the "WebEngine" section. The host adds the hubs
    /// (<see cref="HubsExtensions.AddWebEngineHubs"/>) and the OpenAPI document
    /// (<see cref="OpenApiExtensions.AddWebEngineOpenApi"/>) where it maps them.
    /// </summary>
    public static IServiceCollection AddWebEngineApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWebEngineAuth(configuration.GetSection("WebEngine"));
        return services;
    }

    /// <summary>/webengine (sign-in, users, tokens).</summary>
    public static IEndpointRouteBuilder MapWebEngineApi(this IEndpointRouteBuilder app)
    {
        app.MapWebEngineAuth();
        return app;
    }
}
