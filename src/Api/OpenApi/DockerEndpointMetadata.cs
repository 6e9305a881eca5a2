using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace WebEngine.Api.OpenApi;

/// <summary>Docker's error body, `{"message": "..."}` (the swagger's ErrorResponse).</summary>
public sealed record DockerErrorResponse([property: JsonPropertyName("message")] string Message);

/// <summary>
/// OpenAPI metadata for endpoint groups: what a Docker endpoint returns besides its typed result. Works on a single
/// endpoint or on a whole group (<c>MapGroup(...).ProducesDockerErrors(500)</c>).
/// </summary>
public static class DockerEndpointMetadata
{
    public const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";
    public const string RawStream = "application/vnd.docker.raw-stream";
    public const string Tar = "application/x-tar";

    /// <summary>Declares Docker error bodies for these status codes (400, 404, 409, 500...).</summary>
    public static TBuilder ProducesDockerErrors<TBuilder>(this TBuilder builder, params int[] statusCodes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes)
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(DockerErrorResponse), ["application/json"]));
        return builder;
    }

    /// <summary>Declares a body that is not JSON: a log or attach stream, a tar archive, plain text.</summary>
    public static TBuilder ProducesStream<TBuilder>(this TBuilder builder, string contentType, int statusCode = StatusCodes.Status200OK)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(Stream), [contentType]));

    /// <summary>
    /// Declares the request body of an endpoint that reads its body itself (to answer bad JSON the Docker way). Unlike
    /// <c>Accepts&lt;T&gt;()</c>, which routing treats as a Content-Type constraint (a client that sends none would get
    /// 404), this only describes the body.
    /// </summary>
    public static RouteHandlerBuilder DescribesBody<TBody>(this RouteHandlerBuilder builder, string contentType = "application/json") =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(TBody), contentType));

    /// <summary>Declares an empty success response (204 No Content, 304 Not Modified...).</summary>
    public static TBuilder ProducesEmpty<TBuilder>(this TBuilder builder, int statusCode) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(void), []));

    /// <summary>The body an endpoint reads itself; <see cref="RequestBodyFilter"/> puts it in the document.</summary>
    public sealed record RequestBodyMetadata(Type Type, string ContentType);
}
