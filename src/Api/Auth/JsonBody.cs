using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebEngine.Engine;

namespace WebEngine.Api.Auth;

/// <summary>Reads a JSON request body with the host's JSON options; malformed or missing bodies are 400s with a message.</summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted)
                ?? throw new InvalidArgumentException("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid JSON in the request body: {e.Message}", e);
        }
    }
}
