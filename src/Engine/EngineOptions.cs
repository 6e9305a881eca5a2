namespace WebEngine.Engine;

/// <summary>Where the engine keeps its state and which binaries it runs; tests point every path at temp dirs.</summary>
public sealed class EngineOptions
{
    /// <summary>The data root: webengine.db, content/, layers/, containers/, volumes/.</summary>
    public string DataRoot { get; set; } = "/var/lib/webengine";

    /// <summary>
    /// Volatile state: shims/ (sockets and shim state dirs) and runtime/ (the runtimes' --root). Unix socket paths
    /// must stay under 108 bytes, so keep this short.
    /// </summary>
    public string StateRoot { get; set; } = "/run/webengine";

    /// <summary>The webengine-shim binary.</summary>
    public string ShimBinary { get; set; } = "/usr/libexec/webengine/webengine-shim";

    /// <summary>OCI runtimes by name (runc CLI compatible): webengine-runtime, runc, crun.</summary>
    public Dictionary<string, string> Runtimes { get; set; } = new(StringComparer.Ordinal)
    {
        ["webengine-runtime"] = "/usr/libexec/webengine/webengine-runtime",
    };

    /// <summary>The runtime containers get unless they ask for another.</summary>
    public string DefaultRuntime { get; set; } = "webengine-runtime";

    /// <summary>The init binary for HostConfig.Init (tini, docker-init); null when none is installed.</summary>
    public string? InitBinary { get; set; } = File.Exists("/usr/bin/tini-static") ? "/usr/bin/tini-static" : null;

    /// <summary>Each container's cgroup is &lt;CgroupParent&gt;/&lt;id&gt;.</summary>
    public string CgroupParent { get; set; } = "/webengine";

    /// <summary>Copy image layers into each container's rootfs instead of mounting overlayfs.</summary>
    public bool ForceCopyRootfs { get; set; }

    /// <summary>Bytes of temporary data one image load, import or pull may write (0: only the data root's free space bounds it).</summary>
    public long ImageStagingLimit { get; set; }

    /// <summary>Seconds between StopSignal and SIGKILL when the container does not say (Docker's 10).</summary>
    public int DefaultStopTimeoutSeconds { get; set; } = 10;

    /// <summary>json-file rotation: Docker's max-size in bytes (0: never rotate) and max-file.</summary>
    public long LogMaxSize { get; set; } = 10 * 1024 * 1024;

    public int LogMaxFiles { get; set; } = 3;

    /// <summary>How many events the event table keeps; older ones are deleted (Docker keeps 256 in memory).</summary>
    public int EventRetention { get; set; } = 10_000;

    /// <summary>How long a finished exec stays inspectable before the engine forgets it (Moby's exec GC: minutes).</summary>
    public TimeSpan ExecRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Bridge networks: device names, firewall table, address pools, ephemeral host ports.</summary>
    public Networks.NetworkingOptions Networking { get; set; } = new();

    public string DatabasePath => Path.Combine(DataRoot, "webengine.db");
    public string ContainersDirectory => Path.Combine(DataRoot, "containers");
    public string VolumesDirectory => Path.Combine(DataRoot, "volumes");
    public string ShimsDirectory => Path.Combine(StateRoot, "shims");
    public string RuntimeStateDirectory => Path.Combine(StateRoot, "runtime");
}
