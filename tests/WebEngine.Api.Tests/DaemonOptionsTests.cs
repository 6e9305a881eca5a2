using Microsoft.Extensions.Configuration;
using WebEngine.Web;

namespace WebEngine.Api.Tests;

/// <summary>The daemon's settings as the configuration binder reads them.</summary>
public sealed class DaemonOptionsTests
{
    [Fact]
    public void TheShippedAppsettingsGiveOneHttpListener()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(WebEngine.TestSupport.RepoPaths.Root, "appsettings.json"))
            .Build();
        var options = DaemonOptions.From(configuration);
        Assert.Equal(["http://127.0.0.1:2378"], options.HttpUrls);
        Assert.Equal("/run/webengine/webengine.sock", options.UnixSocket);
        Assert.Equal("/var/lib/webengine", options.DataRoot);
    }
}
