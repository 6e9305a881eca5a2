using Microsoft.AspNetCore.Server.Kestrel.Core;
using WebEngine.Api.Docker.Streams;

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
        configuration.GetSection(SectionName).Bind(options);
        return options;
    }

    public const string SectionName = "WebEngine";

    /// <summary>
    /// The engine's settings from the same section: DataRoot, StateRoot, ShimBinary, Runtimes:&lt;name&gt;,
    /// DefaultRuntime, InitBinary, CgroupParent, ImageStagingLimit, DefaultStopTimeoutSeconds, LogMaxSize, LogMaxFiles, EventRetention.
    /// </summary>
    public static void BindEngine(IConfiguration configuration, WebEngine.Engine.EngineOptions engine) =>
        configuration.GetSection(SectionName).Bind(engine);

    public void ConfigureListeners(KestrelServerOptions kestrel)
    {
        if (!string.IsNullOrEmpty(UnixSocket))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(UnixSocket)!);
            if (File.Exists(UnixSocket))
                File.Delete(UnixSocket);
            kestrel.ListenUnixSocket(UnixSocket, listen => listen.UseDockerUpgradeWithBody());
        }
        foreach (var url in HttpUrls.Where(u => !string.IsNullOrWhiteSpace(u)))
        {
            var uri = new Uri(url);
            var address = System.Net.IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host);
            kestrel.Listen(address, uri.Port, listen => listen.UseDockerUpgradeWithBody());
        }
    }
}
