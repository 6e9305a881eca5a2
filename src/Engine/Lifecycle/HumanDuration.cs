namespace WebEngine.Engine.Lifecycle;

/// <summary>Docker's human durations ("Less than a second", "About a minute", "3 hours", "2 weeks").</summary>
public static class HumanDuration
{
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        var hours = (long)duration.TotalHours;
        return seconds switch
        {
            < 1 => "Less than a second",
            1 => "1 second",
            < 60 => $"{seconds} seconds",
            _ when duration.TotalMinutes < 2 => "About a minute",
            _ when duration.TotalMinutes < 60 => $"{(long)duration.TotalMinutes} minutes",
            _ when duration.TotalMinutes < 90 => "About an hour",
            _ when hours < 48 => $"{hours} hours",
            _ when hours < 24 * 7 * 2 => $"{hours / 24} days",
            _ when hours < 24 * 30 * 2 => $"{hours / 24 / 7} weeks",
            _ when hours < 24 * 365 * 2 => $"{hours / 24 / 30} months",
            _ => $"{hours / 24 / 365} years",
        };
    }
}
