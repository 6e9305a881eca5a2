using System.Text;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Logs;

namespace WebEngine.Web.Components;

/// <summary>
/// The logs tab's download: the container's whole log as text, written to the response entry by entry as it is read
/// (a log of gigabytes never sits in memory).
/// </summary>
public static class LogDownloadEndpoint
{
    public static void MapLogDownload(this IEndpointRouteBuilder app) =>
        app.MapGet("/ui/containers/{id}/logs/download", DownloadAsync).RequireAuthorization();

    private static async Task DownloadAsync(HttpContext context, string id, bool? timestamps, ContainerService containers)
    {
        var details = await containers.InspectAsync(id, context.RequestAborted);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{details.Name.TrimStart('/')}.log\"";
        var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await using (writer)
        {
            await foreach (var entry in await containers.LogsAsync(id, new LogReadOptions(), context.RequestAborted))
            {
                if (timestamps == true)
                {
                    await writer.WriteAsync(entry.Time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    await writer.WriteAsync(' ');
                }
                await writer.WriteAsync(entry.Text);
            }
        }
    }
}
