namespace WebEngine.Engine.Containers;

/// <summary>
/// What an image's config contributes to a container (the OCI image config's <c>config</c> object):
/// the images area fills it, <see cref="ContainerConfigMerge"/> merges it into a ContainerConfig.
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
}
