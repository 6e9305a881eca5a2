namespace WebEngine.Engine.Logs;

/// <summary>One record of a json-file log: a line (with its trailing "\n"), or a piece of a longer line when <see cref="Partial"/>.</summary>
public sealed record LogEntry(LogStream Stream, DateTimeOffset Time, long UnixNanoseconds, string Text)
{
    /// <summary>A piece of a line longer than 16 KiB; the next record continues it (Docker's partial records have no trailing "\n").</summary>
    public bool Partial => !Text.EndsWith('\n');
}

public enum LogStream
{
    Stdout,
    Stderr,
}

/// <summary>What to read: Docker's logs options (tail, since, until, follow, stdout/stderr).</summary>
public sealed record LogReadOptions
{
    public bool Stdout { get; init; } = true;
    public bool Stderr { get; init; } = true;

    /// <summary>Only the last N records that pass the other filters; null for all.</summary>
    public int? Tail { get; init; }

    /// <summary>Only records at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Keep reading new records as they are written, across rotations, until cancelled or <see cref="FollowUntil"/> completes.</summary>
    public bool Follow { get; init; }

    /// <summary>When following: once this completes (the container stopped), read what is left and end.</summary>
    public Task? FollowUntil { get; init; }

    /// <summary>How often a follower looks for new data.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
