namespace WebEngine.Engine.Containers;

/// <summary>A container's health check (Docker's <c>HealthConfig</c>); durations are in nanoseconds as in the API.</summary>
public sealed record HealthConfig
{
    /// <summary>[] inherits the image's test, ["NONE"] disables it, ["CMD", ...] or ["CMD-SHELL", "..."] run it.</summary>
    public IReadOnlyList<string> Test { get; init; } = [];
    public long Interval { get; init; }
    public long Timeout { get; init; }
    public long StartPeriod { get; init; }
    public long StartInterval { get; init; }
    public int Retries { get; init; }
}
