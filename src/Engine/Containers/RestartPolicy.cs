namespace WebEngine.Engine.Containers;

/// <summary>When the engine restarts a container that exited (Docker's <c>RestartPolicy</c>).</summary>
public sealed record RestartPolicy(string Name, int MaximumRetryCount = 0)
{
    public static readonly RestartPolicy No = new("no");

    public static readonly IReadOnlyList<string> KnownNames = ["no", "always", "unless-stopped", "on-failure"];

    /// <summary>"" is what clients send when they mean "no".</summary>
    public bool IsNone => Name is "" or "no";
}
