using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace WebEngine.Web;

/// <summary>The daemon's own settings, read from the "WebEngine" configuration section.</summary>
public sealed class DaemonOptions
{
    public string DataRoot { get; set; } = "/var/lib/webengine";
    public string UnixSocket { get; set; } = "/run/webengine/webengine.sock";
    /// <summary>HTTP listeners; empty by default here because the configuration binder appends to a
    /// pre-filled list (a default would be bound twice). appsettings.json carries the default.</summary>
    public List<string> HttpUrls { get; set; } = [];

    public static DaemonOptions From(IConfiguration configuration)
    {
        var options = new DaemonOptions();
        configuration.GetSection("WebEngine").Bind(options);
        return options;
    }

    public void ConfigureListeners(KestrelServerOptions kestrel)
    {
        if (!string.IsNullOrEmpty(UnixSocket))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(UnixSocket)!);
            if (File.Exists(UnixSocket))
                File.Delete(UnixSocket);
            kestrel.ListenUnixSocket(UnixSocket);
        }
        foreach (var url in HttpUrls.Where(u => !string.IsNullOrWhiteSpace(u)))
        {
            var uri = new Uri(url);
            var address = System.Net.IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host);
            kestrel.Listen(address, uri.Port);
        }
    }
}
