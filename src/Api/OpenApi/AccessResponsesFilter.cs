using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using WebEngine.Api.Auth;

namespace WebEngine.Api.OpenApi;

/// <summary>
/// Adds the answers every endpoint can give whatever its own metadata says: 401 and 403 from the role check (unless the
/// request classifier lets everyone in) and 500, each with Docker's error body, as Docker's own document does.
/// </summary>
internal sealed class AccessResponsesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        var method = context.ApiDescription.HttpMethod ?? HttpMethods.Get;
        var path = "/" + (context.ApiDescription.RelativePath ?? "");
        var action = RequestClassifier.Classify(method, path);
        if (action != WebEngineAction.Anonymous)
        {
            Add(operation, context, StatusCodes.Status401Unauthorized, "Not signed in: no cookie or API token, or a revoked one");
            Add(operation, context, StatusCodes.Status403Forbidden, $"The user's role is below {action.RequiredRole()}");
        }
        Add(operation, context, StatusCodes.Status500InternalServerError, "Server error");
    }

    private static void Add(OpenApiOperation operation, OperationFilterContext context, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
            return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(DockerErrorResponse), context.SchemaRepository) },
            },
        };
    }
}
