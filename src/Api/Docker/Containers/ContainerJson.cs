using System.Text.Json.Serialization;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Networks;

namespace WebEngine.Api.Docker.Containers;

/// <summary>GET /containers/{id}/json: Docker's ContainerInspectResponse, built from the engine's details.</summary>
public sealed record ContainerInspectJson
{
    public required string Id { get; init; }
    public required DateTime Created { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required ContainerStateJson State { get; init; }
    public required string Image { get; init; }
    public required string ResolvConfPath { get; init; }
    public required string HostnamePath { get; init; }
    public required string HostsPath { get; init; }
    public required string LogPath { get; init; }
    public required string Name { get; init; }
    public required int RestartCount { get; init; }
    public required string Driver { get; init; }
    public required string Platform { get; init; }
    public string MountLabel { get; init; } = "";
    public string ProcessLabel { get; init; } = "";
    public string AppArmorProfile { get; init; } = "";
    public IReadOnlyList<string>? ExecIDs { get; init; }
    public required HostConfigJson HostConfig { get; init; }
    public required GraphDriverJson GraphDriver { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; init; }

    public required IReadOnlyList<MountPoint> Mounts { get; init; }
    public required ContainerConfigJson Config { get; init; }
    public required NetworkSettings NetworkSettings { get; init; }

    public static ContainerInspectJson From(ContainerDetails details, string containerDirectory, long? sizeRw, long? sizeRootFs) => new()
    {
        Id = details.Id,
        Created = details.Created,
        Path = details.Path,
        Args = details.Args,
        State = ContainerStateJson.From(details.State),
        Image = details.Image,
        ResolvConfPath = details.ResolvConfPath,
        HostnamePath = details.HostnamePath,
        HostsPath = details.HostsPath,
        LogPath = details.LogPath,
        Name = details.Name,
        RestartCount = details.RestartCount,
        Driver = details.Driver,
        Platform = details.Platform,
        HostConfig = HostConfigJson.From(details.HostConfig, details.Runtime),
        GraphDriver = new GraphDriverJson(details.Driver, new Dictionary<string, string>
        {
            ["MergedDir"] = System.IO.Path.Combine(containerDirectory, "rootfs"),
            ["UpperDir"] = System.IO.Path.Combine(containerDirectory, "upper"),
            ["WorkDir"] = System.IO.Path.Combine(containerDirectory, "work"),
        }),
        SizeRw = sizeRw,
        SizeRootFs = sizeRootFs,
        Mounts = details.Mounts,
        Config = ContainerConfigJson.From(details.Config, details.Id[..12]),
        NetworkSettings = details.NetworkSettings,
    };
}

/// <summary>inspect's State.</summary>
public sealed record ContainerStateJson
{
    public required string Status { get; init; }
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }
    public bool OOMKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; init; }

    /// <summary>Absent without a healthcheck, as in Docker.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HealthJson? Health { get; init; }

    public static ContainerStateJson From(ContainerStateDetails state) => new()
    {
        Status = state.Status,
        Running = state.Running,
        Paused = state.Paused,
        Restarting = state.Restarting,
        OOMKilled = state.OOMKilled,
        Dead = state.Dead,
        Pid = state.Pid,
        ExitCode = state.ExitCode,
        Error = state.Error,
        StartedAt = state.StartedAt,
        FinishedAt = state.FinishedAt,
        Health = state.Health is { } health ? HealthJson.From(health) : null,
    };
}

/// <summary>inspect's State.Health (Docker's Health).</summary>
public sealed record HealthJson(string Status, int FailingStreak, IReadOnlyList<HealthcheckResultJson> Log)
{
    public static HealthJson From(ContainerHealth health) =>
        new(health.Status, health.FailingStreak, [.. health.Log.Select(r => new HealthcheckResultJson(r.Start, r.End, r.ExitCode, r.Output))]);
}

/// <summary>One entry of State.Health.Log (Docker's HealthcheckResult).</summary>
public sealed record HealthcheckResultJson(DateTime Start, DateTime End, int ExitCode, string Output);

public sealed record GraphDriverJson(string Name, IReadOnlyDictionary<string, string> Data);

/// <summary>One row of GET /containers/json: Docker's ContainerSummary.</summary>
public sealed record ContainerSummaryJson
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required string Image { get; init; }
    public required string ImageID { get; init; }
    public required string Command { get; init; }
    public required long Created { get; init; }
    public IReadOnlyList<PortSummary> Ports { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required string State { get; init; }
    public required string Status { get; init; }
    public required SummaryHostConfigJson HostConfig { get; init; }
    public required SummaryNetworkSettingsJson NetworkSettings { get; init; }
    public required IReadOnlyList<MountPoint> Mounts { get; init; }

    public static ContainerSummaryJson From(ContainerSummary summary, long? sizeRw, long? sizeRootFs) => new()
    {
        Id = summary.Id,
        Names = summary.Names,
        Image = summary.Image,
        ImageID = summary.ImageId,
        Command = summary.Command,
        Created = summary.Created,
        SizeRw = sizeRw,
        SizeRootFs = sizeRootFs,
        Labels = summary.Labels,
        State = summary.State,
        Status = summary.Status,
        HostConfig = new SummaryHostConfigJson(summary.NetworkMode),
        Ports = summary.Ports,
        NetworkSettings = new SummaryNetworkSettingsJson(summary.Networks),
        Mounts = summary.Mounts,
    };
}

public sealed record SummaryHostConfigJson(string NetworkMode);

public sealed record SummaryNetworkSettingsJson(IReadOnlyDictionary<string, EndpointSettings> Networks);

/// <summary>POST /containers/create's answer.</summary>
public sealed record ContainerCreateResponseJson(string Id, IReadOnlyList<string> Warnings);

/// <summary>POST /containers/{id}/wait's answer; Error is null unless waiting failed or the container could not run.</summary>
public sealed record ContainerWaitResponseJson(int StatusCode, WaitErrorJson? Error);

public sealed record WaitErrorJson(string Message);

/// <summary>POST /containers/prune's answer.</summary>
public sealed record ContainerPruneResponseJson(IReadOnlyList<string> ContainersDeleted, long SpaceReclaimed);

/// <summary>POST /containers/{id}/update's answer.</summary>
public sealed record ContainerUpdateResponseJson(IReadOnlyList<string> Warnings);
