using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace WebEngine.Api.Docker;

/// <summary>
/// Strips the `/v1.NN` prefix from Docker API paths, refuses versions out of range, records the
/// version for the handlers, and adds the headers Moby sends on every response.
/// </summary>
public sealed partial class ApiVersionMiddleware(RequestDelegate next)
{
    public const string ItemKey = "WebEngine.ApiVersion";

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Server"] = $"WebEngine/{SystemInfo.EngineVersion} (linux)";
        headers["Api-Version"] = ApiVersion.Current.ToString();
        headers["Ostype"] = "linux";
        headers["Docker-Experimental"] = "false";

        var version = ApiVersion.Current;
        var match = VersionPrefix().Match(context.Request.Path.Value ?? "");
        if (match.Success)
        {
            if (!ApiVersion.TryParse(match.Groups["version"].ValueSpan, out var requested))
            {
                await DockerErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"invalid API version: {match.Groups["version"].Value}");
                return;
            }
            if (requested < ApiVersion.Minimum)
            {
                await DockerErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                    $"client version {requested} is too old. Minimum supported API version is {ApiVersion.Minimum}, please upgrade your client to a newer version");
                return;
            }
            if (requested > ApiVersion.Current)
            {
                await DockerErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                    $"client version {requested} is too new. Maximum supported API version is {ApiVersion.Current}");
                return;
            }
            version = requested.Value;
            context.Request.PathBase = context.Request.PathBase.Add(match.Value);
            context.Request.Path = new PathString(context.Request.Path.Value![match.Length..]);
        }
        context.Items[ItemKey] = version;
        await next(context);
    }

    [GeneratedRegex(@"^/v(?<version>[0-9]+\.[0-9]+)(?=/)")]
    private static partial Regex VersionPrefix();
}

public static class ApiVersionHttpContextExtensions
{
    /// <summary>The API version of this request (the server's own for unversioned paths).</summary>
    public static ApiVersion GetApiVersion(this HttpContext context) =>
        context.Items.TryGetValue(ApiVersionMiddleware.ItemKey, out var value) && value is ApiVersion version ? version : ApiVersion.Current;
}
