using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Containers;

/// <summary>
/// What an image's config contributes to a container (the OCI image config's <c>config</c> object),
/// read from the images area's <see cref="ImageConfig"/>; <see cref="ContainerConfigMerge"/> merges it
/// into a ContainerConfig.
/// </summary>
public sealed record ImageRuntimeConfig
{
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public IReadOnlySet<string> Volumes { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> ExposedPorts { get; init; } = new HashSet<string>();
    public string? StopSignal { get; init; }
    public HealthConfig? Healthcheck { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads what a container needs from an image's config blob (its "config" object).</summary>
    public static ImageRuntimeConfig From(ImageConfig image)
    {
        var config = image.Config;
        if (config is null)
            return new ImageRuntimeConfig();
        return new ImageRuntimeConfig
        {
            Env = config.Env ?? [],
            Cmd = config.Cmd,
            Entrypoint = config.Entrypoint,
            WorkingDir = config.WorkingDir,
            User = config.User,
            Volumes = config.Volumes?.Keys.ToHashSet() ?? [],
            ExposedPorts = config.ExposedPorts?.Keys.ToHashSet() ?? [],
            StopSignal = config.StopSignal,
            Labels = config.Labels ?? [],
            Healthcheck = config.Healthcheck is { } health
                ? new HealthConfig
                {
                    Test = health.Test ?? [],
                    Interval = health.Interval ?? 0,
                    Timeout = health.Timeout ?? 0,
                    StartPeriod = health.StartPeriod ?? 0,
                    Retries = health.Retries ?? 0,
                }
                : null,
        };
    }
}
