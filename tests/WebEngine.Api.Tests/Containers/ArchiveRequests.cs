using System.Formats.Tar;
using System.Net;
using System.Text;

namespace WebEngine.Api.Tests.Containers;

/// <summary>Raw archive requests the docker CLI cannot make: tars built by hand, and waiting for a container's file.</summary>
internal static class ArchiveRequests
{
    /// <summary>PUT archive of a tar of the given entries: ("file", name, content) or ("symlink", name, target).</summary>
    public static async Task<HttpResponseMessage> PutTarAsync(HttpClient http, string container, string path, params (string Type, string Name, string Content)[] entries)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (type, name, content) in entries)
            {
                writer.WriteEntry(type == "symlink"
                    ? new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = content }
                    : new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            }
        }
        return await http.PutAsync($"containers/{container}/archive?path={Uri.EscapeDataString(path)}", new ByteArrayContent(tar.ToArray()));
    }

    /// <summary>Polls HEAD archive until the path exists in the container (generous deadline: busy CI machines).</summary>
    public static async Task WaitForFileAsync(HttpClient http, string container, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"containers/{container}/archive?path={Uri.EscapeDataString(path)}"));
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"{path} did not appear in {container}");
    }
}
