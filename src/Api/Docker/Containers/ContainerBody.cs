using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WebEngine.Engine;

namespace WebEngine.Api.Docker.Containers;

/// <summary>Reads a JSON request body as Moby does: field names in any case; malformed JSON or a wrong type is a 400.</summary>
public static class ContainerBody
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        AllowTrailingCommas = false,
    };

    /// <summary>The body as <typeparamref name="T"/>; null when the body is empty.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentLength == 0)
            return null;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            return null;
        buffer.Position = 0;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(buffer, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid JSON: {e.Message}", e);
        }
    }
}
