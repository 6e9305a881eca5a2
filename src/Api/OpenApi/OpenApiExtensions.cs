using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using WebEngine.Api.Docker;

namespace WebEngine.Api.OpenApi;

/// <summary>
/// The OpenAPI document of every endpoint (Swashbuckle): /swagger/v1/swagger.json and Swagger UI at /swagger, both
/// behind the same authentication as the rest. Endpoint groups describe themselves with WithTags, typed results and
/// <see cref="DockerEndpointMetadata"/>.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddWebEngineOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "WebEngine",
                Version = ApiVersion.Current.ToString(),
                Description = "The Docker Engine API (versions " + ApiVersion.Minimum + " to " + ApiVersion.Current +
                    "; every path also answers under /v1.NN) and WebEngine's own endpoints under /webengine. On the unix socket no " +
                    "authentication is needed; on HTTP send a sign-in cookie or `Authorization: Bearer <token>`.",
            });
            swagger.CustomSchemaIds(new SchemaIds().For);
            swagger.OperationFilter<RequestBodyFilter>();
            swagger.OperationFilter<AccessResponsesFilter>();
            // GET and HEAD of one path share a description; the first is enough.
            swagger.ResolveConflictingActions(descriptions => descriptions.First());
            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API token from POST /webengine/tokens",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        });
        return services;
    }

    /// <summary>Swagger UI at /swagger; put it after the authentication middleware so it is not public.</summary>
    public static IApplicationBuilder UseWebEngineSwaggerUI(this IApplicationBuilder app) =>
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "swagger";
            ui.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "WebEngine");
            ui.DocumentTitle = "WebEngine API";
        });

    /// <summary>/swagger/v1/swagger.json, as an endpoint (so the role checks apply to it like to any other).</summary>
    public static IEndpointRouteBuilder MapWebEngineOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapSwagger("/swagger/{documentName}/swagger.json");
        return app;
    }

    /// <summary>Schema ids: the type's short name, or its full name when another type already took the short one.</summary>
    private sealed class SchemaIds
    {
        private readonly Dictionary<string, Type> _taken = [];
        private readonly Lock _lock = new();

        public string For(Type type)
        {
            var name = ShortName(type);
            lock (_lock)
            {
                if (_taken.TryAdd(name, type) || _taken[name] == type)
                    return name;
            }
            return (type.FullName ?? name).Replace('+', '.').Replace('`', '_');
        }

        private static string ShortName(Type type) => type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`')] + "Of" + string.Concat(type.GetGenericArguments().Select(ShortName))
            : type.Name;
    }
}
