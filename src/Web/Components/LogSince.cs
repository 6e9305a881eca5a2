using System.Globalization;
using System.Text.RegularExpressions;

namespace WebEngine.Web.Components;

/// <summary>The logs tab's "since": a duration back from now (docker logs --since 10m) or a time.</summary>
public static partial class LogSince
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset since)
    {
        text = text.Trim();
        var duration = DurationPattern().Match(text);
        if (duration.Success)
        {
            var value = double.Parse(duration.Groups[1].Value, CultureInfo.InvariantCulture);
            since = now - duration.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromDays(value),
            };
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out since);
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(s|m|h|d)$")]
    private static partial Regex DurationPattern();
}
