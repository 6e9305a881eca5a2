using System.Text.Json.Serialization;
using WebEngine.Engine.Host;

namespace WebEngine.Api.Docker;

/// <summary>The `SystemVersion` document of `GET /version`.</summary>
public sealed record SystemVersionResponse(
    PlatformName Platform,
    IReadOnlyList<ComponentVersion> Components,
    string Version,
    string ApiVersion,
    string MinAPIVersion,
    string GitCommit,
    string GoVersion,
    string Os,
    string Arch,
    string KernelVersion,
    bool Experimental,
    string BuildTime);

public sealed record PlatformName(string Name);

public sealed record ComponentVersion(string Name, string Version, IReadOnlyDictionary<string, string> Details);

/// <summary>Builds the system documents from the host's facts.</summary>
public static class SystemInfo
{
    public static string EngineVersion => HostFacts.EngineVersion;

    public static SystemVersionResponse Version(HostFacts host)
    {
        var buildTime = File.GetLastWriteTimeUtc(typeof(SystemInfo).Assembly.Location).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ");
        var details = new Dictionary<string, string>
        {
            ["ApiVersion"] = Docker.ApiVersion.Current.ToString(),
            ["MinAPIVersion"] = Docker.ApiVersion.Minimum.ToString(),
            ["GitCommit"] = HostFacts.GitCommit,
            ["GoVersion"] = host.DotnetVersion,
            ["Os"] = "linux",
            ["Arch"] = host.Architecture,
            ["KernelVersion"] = host.KernelVersion,
            ["Experimental"] = "false",
            ["BuildTime"] = buildTime,
        };
        return new SystemVersionResponse(
            new PlatformName("WebEngine"),
            [new ComponentVersion("Engine", EngineVersion, details)],
            EngineVersion,
            Docker.ApiVersion.Current.ToString(),
            Docker.ApiVersion.Minimum.ToString(),
            HostFacts.GitCommit,
            host.DotnetVersion,
            "linux",
            host.Architecture,
            host.KernelVersion,
            Experimental: false,
            buildTime);
    }
}
