using System.Net;
using System.Text.Json;
using WebEngine.Api.Tests.Auth;

namespace WebEngine.Api.Tests.OpenApi;

/// <summary>The OpenAPI document and Swagger UI, behind the same authentication as the API.</summary>
[Collection(HttpListenerCollection.Name)]
public sealed class SwaggerTests(HttpListenerFixture fixture)
{
    [Fact]
    public async Task TheDocumentDescribesTheContainerEndpointsWithTheirSchemas()
    {
        using var viewer = fixture.Http(fixture.ViewerToken);
        var response = await viewer.GetAsync("swagger/v1/swagger.json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString());
        var paths = root.GetProperty("paths");
        foreach (var path in new[] { "/_ping", "/version", "/containers/json", "/containers/create", "/containers/{id}/json", "/containers/{id}/start",
                     "/containers/{id}/stop", "/containers/{id}", "/webengine/users", "/webengine/tokens", "/webengine/signin" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the document");
        Assert.True(paths.GetProperty("/containers/{id}").TryGetProperty("delete", out _));
        Assert.Equal("Containers", paths.GetProperty("/containers/json").GetProperty("get").GetProperty("tags")[0].GetString());

        // Schemas are real: the version document and the token request are described field by field.
        var schemas = root.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("SystemVersionResponse").GetProperty("properties").TryGetProperty("ApiVersion", out _), body);
        var tokenBody = paths.GetProperty("/webengine/tokens").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.EndsWith("CreateTokenRequest", tokenBody.GetProperty("schema").GetProperty("$ref").GetString());
        var userErrors = paths.GetProperty("/webengine/users").GetProperty("post").GetProperty("responses");
        Assert.EndsWith("DockerErrorResponse", userErrors.GetProperty("409").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(schemas.GetProperty("DockerErrorResponse").GetProperty("properties").TryGetProperty("message", out _));
        // Every operation says what the role check answers, from the same classifier that enforces it.
        var stop = paths.GetProperty("/containers/{id}/stop").GetProperty("post").GetProperty("responses");
        Assert.Contains("operator", stop.GetProperty("403").GetProperty("description").GetString());
        Assert.True(stop.TryGetProperty("401", out _));
        Assert.Contains("admin", paths.GetProperty("/containers/create").GetProperty("post").GetProperty("responses").GetProperty("403").GetProperty("description").GetString());
        Assert.False(paths.GetProperty("/_ping").GetProperty("get").GetProperty("responses").TryGetProperty("401", out _));
        Assert.False(paths.EnumerateObject().Any(p => p.Name.StartsWith("/hubs", StringComparison.Ordinal)), "hubs are not REST endpoints");
    }

    [Fact]
    public async Task SwaggerUiIsServedToSignedInUsersOnly()
    {
        using var viewer = fixture.Http(fixture.ViewerToken);
        var page = await viewer.GetAsync("swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync());

        using var anonymous = fixture.Http();
        await HttpListenerFixture.AssertErrorAsync(await anonymous.GetAsync("swagger/index.html"), HttpStatusCode.Unauthorized, "authentication required");
        await HttpListenerFixture.AssertErrorAsync(await anonymous.GetAsync("swagger/v1/swagger.json"), HttpStatusCode.Unauthorized, "authentication required");
    }
}
