using System.Text.Json.Serialization;
using WebEngine.Engine;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Networks;

namespace WebEngine.Api.Docker.Containers;

/// <summary>
/// Docker's `ContainerConfig` as it travels over the API: the body of create (with <see cref="ContainerCreateBody"/>)
/// and `Config` in inspect. Maps to and from the engine's <see cref="ContainerConfig"/>.
/// </summary>
public class ContainerConfigJson
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }

    /// <summary>"80/tcp" → {} as in Docker (a set written as a map).</summary>
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }

    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public HealthConfigJson? Healthcheck { get; set; }
    public string? Image { get; set; }
    public Dictionary<string, EmptyObject>? Volumes { get; set; }
    public string? WorkingDir { get; set; }
    public List<string>? Entrypoint { get; set; }
    public List<string>? OnBuild { get; set; }
    public Dictionary<string, string>? Labels { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StopSignal { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? StopTimeout { get; set; }

    public ContainerConfig ToEngine() => new()
    {
        Image = Image ?? "",
        Cmd = Cmd,
        Entrypoint = Entrypoint,
        Env = Env ?? [],
        WorkingDir = NullIfEmpty(WorkingDir),
        User = NullIfEmpty(User),
        Tty = Tty,
        OpenStdin = OpenStdin,
        StdinOnce = StdinOnce,
        AttachStdin = AttachStdin,
        AttachStdout = AttachStdout,
        AttachStderr = AttachStderr,
        Labels = Labels ?? new Dictionary<string, string>(),
        Hostname = NullIfEmpty(Hostname),
        Domainname = NullIfEmpty(Domainname),
        StopSignal = NullIfEmpty(StopSignal),
        StopTimeout = StopTimeout,
        Healthcheck = Healthcheck?.ToEngine(),
        ExposedPorts = (ExposedPorts?.Keys ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal),
        Volumes = (Volumes?.Keys ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal),
    };

    /// <summary>inspect's Config; <paramref name="defaultHostname"/> is what the container got when none was asked for.</summary>
    public static ContainerConfigJson From(ContainerConfig config, string defaultHostname) => new()
    {
        Hostname = string.IsNullOrEmpty(config.Hostname) ? defaultHostname : config.Hostname,
        Domainname = config.Domainname ?? "",
        User = config.User ?? "",
        AttachStdin = config.AttachStdin,
        AttachStdout = config.AttachStdout,
        AttachStderr = config.AttachStderr,
        ExposedPorts = config.ExposedPorts.Count > 0 ? config.ExposedPorts.ToDictionary(p => p, _ => new EmptyObject()) : null,
        Tty = config.Tty,
        OpenStdin = config.OpenStdin,
        StdinOnce = config.StdinOnce,
        Env = config.Env.ToList(),
        Cmd = config.Cmd?.ToList(),
        Healthcheck = config.Healthcheck is { } health ? HealthConfigJson.From(health) : null,
        Image = config.Image,
        Volumes = config.Volumes.Count > 0 ? config.Volumes.ToDictionary(v => v, _ => new EmptyObject()) : null,
        WorkingDir = config.WorkingDir ?? "",
        Entrypoint = config.Entrypoint?.ToList(),
        Labels = new Dictionary<string, string>(config.Labels),
        StopSignal = config.StopSignal,
        StopTimeout = config.StopTimeout,
    };

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>POST /containers/create's body: the Config fields at the top level, plus HostConfig and NetworkingConfig.</summary>
public sealed class ContainerCreateBody : ContainerConfigJson
{
    public HostConfigJson? HostConfig { get; set; }
    public NetworkingConfigJson? NetworkingConfig { get; set; }

    /// <summary>The container-wide MAC address of API 1.43 and older clients (Docker.DotNet, Testcontainers' WithMacAddress).</summary>
    public string? MacAddress { get; set; }

    /// <summary>
    /// The networks to join. As Moby does for every API version, a container-wide MacAddress goes to the endpoint of
    /// the main network (HostConfig.NetworkMode), which may not name another.
    /// </summary>
    public Dictionary<string, EndpointConfig> Networks(string networkMode)
    {
        var networks = NetworkingConfig?.ToEngine() ?? [];
        if (string.IsNullOrEmpty(MacAddress))
            return networks;
        var main = networkMode is "" or "default" ? "bridge" : networkMode;
        var key = networks.Keys.FirstOrDefault(k => k == main || (main == "bridge" && k == "default")) ?? main;
        var endpoint = networks.GetValueOrDefault(key) ?? new EndpointConfig();
        if (endpoint.MacAddress.Length > 0 && !string.Equals(endpoint.MacAddress, MacAddress, StringComparison.OrdinalIgnoreCase))
            throw new InvalidArgumentException("the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty");
        networks[key] = endpoint with { MacAddress = MacAddress };
        return networks;
    }
}

/// <summary>The create body's NetworkingConfig: the networks to join, by name.</summary>
public sealed class NetworkingConfigJson
{
    public Dictionary<string, EndpointSettingsJson?>? EndpointsConfig { get; set; }

    public Dictionary<string, EndpointConfig> ToEngine() =>
        (EndpointsConfig ?? []).ToDictionary(e => e.Key, e => (e.Value ?? new EndpointSettingsJson()).ToEngine());
}

/// <summary>One network a container joins (create's EndpointsConfig, network connect's EndpointConfig); only the fields the CLI sends are read.</summary>
public sealed class EndpointSettingsJson
{
    public List<string>? Aliases { get; set; }
    public List<string>? Links { get; set; }
    public string? MacAddress { get; set; }
    public EndpointIpamConfigJson? IPAMConfig { get; set; }

    public EndpointConfig ToEngine()
    {
        if (Links is { Count: > 0 })
            throw new InvalidArgumentException("legacy container links are not supported");
        if (!string.IsNullOrEmpty(IPAMConfig?.IPv6Address))
            throw new InvalidArgumentException("IPv6 addresses are not supported");
        return new EndpointConfig { Aliases = Aliases ?? [], IPv4Address = IPAMConfig?.IPv4Address ?? "", MacAddress = MacAddress ?? "" };
    }
}

public sealed class EndpointIpamConfigJson
{
    public string? IPv4Address { get; set; }
    public string? IPv6Address { get; set; }
}

/// <summary>Docker's HealthConfig; durations in nanoseconds.</summary>
public sealed class HealthConfigJson
{
    public List<string>? Test { get; set; }
    public long Interval { get; set; }
    public long Timeout { get; set; }
    public long StartPeriod { get; set; }
    public long StartInterval { get; set; }
    public int Retries { get; set; }

    public HealthConfig ToEngine() => new()
    {
        Test = Test ?? [],
        Interval = Interval,
        Timeout = Timeout,
        StartPeriod = StartPeriod,
        StartInterval = StartInterval,
        Retries = Retries,
    };

    public static HealthConfigJson From(HealthConfig health) => new()
    {
        Test = health.Test.ToList(),
        Interval = health.Interval,
        Timeout = health.Timeout,
        StartPeriod = health.StartPeriod,
        StartInterval = health.StartInterval,
        Retries = health.Retries,
    };
}

/// <summary>The `{}` of Docker's sets written as maps (ExposedPorts, Volumes).</summary>
public sealed class EmptyObject;
