using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace WebEngine.Api.OpenApi;

/// <summary>Adds the request body declared with <see cref="DockerEndpointMetadata.DescribesBody{TBody}"/>.</summary>
internal sealed class RequestBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var body = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<DockerEndpointMetadata.RequestBodyMetadata>().LastOrDefault();
        if (body is null)
            return;
        operation.RequestBody = new OpenApiRequestBody
        {
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                [body.ContentType] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(body.Type, context.SchemaRepository) },
            },
        };
    }
}
