using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WebEngine.Engine;

namespace WebEngine.Api.Docker;

/// <summary>
/// Docker's error format, in one place: `{"message": "..."}` with `Content-Type: application/json`
/// exactly (the CLI parses the body only when the header is that string), and the mapping of the
/// engine's error kinds to status codes.
/// </summary>
public static class DockerErrors
{
    public static int StatusCodeFor(Exception exception) => exception switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        UnauthorizedException => StatusCodes.Status401Unauthorized,
        AlreadyExistsException or ConflictException => StatusCodes.Status409Conflict,
        InvalidArgumentException or BadHttpRequestException or JsonException or FormatException => StatusCodes.Status400BadRequest,
        UnavailableException => StatusCodes.Status503ServiceUnavailable,
        Auth.PermissionDeniedException or ForbiddenException => StatusCodes.Status403Forbidden,
        OperationCanceledException => 499,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static async Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("message", message);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    /// <summary>The exception handler: turns any escaped exception into a Docker error response.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (exception == null)
            return;
        var status = StatusCodeFor(exception);
        if (status == StatusCodes.Status500InternalServerError && context.RequestServices.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggers)
            loggers.CreateLogger("WebEngine.Api").LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        if (!context.Response.HasStarted)
            await WriteAsync(context, status, exception is BadHttpRequestException bad && bad.InnerException is JsonException json ? json.Message : exception.Message);
    }
}
