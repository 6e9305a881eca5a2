using WebEngine.Engine;
using WebEngine.Engine.Host;
using WebEngine.Engine.Images;
using WebEngine.Engine.Lifecycle;

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

/// <summary>Builds the system documents from the host's facts and the engine's state.</summary>
public static class SystemInfo
{
    public static string EngineVersion => HostFacts.EngineVersion;

    /// <summary>`GET /info`: real counts of containers by state and of images, the host's kernel, CPUs, memory and cgroups.</summary>
    public static async Task<SystemInfoResponse> InfoAsync(HostFacts host, EngineOptions engine, ContainerService containers, ImageService images,
        CancellationToken cancellationToken)
    {
        var records = await containers.Store.ListAsync(cancellationToken);
        var states = records.Select(r => ContainerStatusNames.ToDocker(ContainerStore.Status(r))).ToList();
        var imageCount = (await images.ListAsync(cancellationToken)).Count;
        var cgroups = CgroupFeatures.Detect(host.CgroupVersion);
        return new SystemInfoResponse
        {
            ID = EngineIdentity.Get(engine.DataRoot),
            Containers = records.Count,
            ContainersRunning = states.Count(s => s is "running" or "restarting"),
            ContainersPaused = states.Count(s => s == "paused"),
            ContainersStopped = states.Count(s => s is not ("running" or "restarting" or "paused")),
            Images = imageCount,
            DockerRootDir = engine.DataRoot,
            DriverStatus = [["Backing Filesystem", BackingFilesystem.Of(engine.DataRoot)]],
            MemoryLimit = cgroups.Memory,
            SwapLimit = cgroups.Swap,
            CpuCfsPeriod = cgroups.CpuCfs,
            CpuCfsQuota = cgroups.CpuCfs,
            CPUShares = cgroups.CpuShares,
            CPUSet = cgroups.CpuSet,
            PidsLimit = cgroups.Pids,
            OomKillDisable = host.CgroupVersion == "1" && cgroups.Memory,
            IPv4Forwarding = ReadFlag("/proc/sys/net/ipv4/ip_forward"),
            BridgeNfIptables = ReadFlag("/proc/sys/net/bridge/bridge-nf-call-iptables"),
            BridgeNfIp6tables = ReadFlag("/proc/sys/net/bridge/bridge-nf-call-ip6tables"),
            NFd = CountEntries("/proc/self/fd"),
            NGoroutines = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            SystemTime = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            CgroupVersion = host.CgroupVersion,
            KernelVersion = host.KernelVersion,
            OperatingSystem = host.OperatingSystem,
            OSVersion = host.OsVersion,
            Architecture = host.KernelArchitecture,
            NCPU = host.CpuCount,
            MemTotal = host.MemoryTotalBytes,
            Name = host.Hostname,
            ServerVersion = EngineVersion,
            Runtimes = engine.Runtimes.ToDictionary(r => r.Key, r => new RuntimeJson(r.Value)),
            DefaultRuntime = engine.DefaultRuntime,
            InitBinary = engine.InitBinary ?? "",
            HttpProxy = Environment.GetEnvironmentVariable("HTTP_PROXY") ?? Environment.GetEnvironmentVariable("http_proxy") ?? "",
            HttpsProxy = Environment.GetEnvironmentVariable("HTTPS_PROXY") ?? Environment.GetEnvironmentVariable("https_proxy") ?? "",
            NoProxy = Environment.GetEnvironmentVariable("NO_PROXY") ?? Environment.GetEnvironmentVariable("no_proxy") ?? "",
            Warnings = cgroups.Swap ? [] : ["WARNING: No swap limit support"],
        };
    }

    private static bool ReadFlag(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path).Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int CountEntries(string directory)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory).Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }

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
