using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WebEngine.Engine;

namespace WebEngine.Api.Docker;

/// <summary>
/// Docker's query string conventions, read the way Moby reads them: booleans (false for "", 0, no, false, none),
/// filters (URL-encoded JSON, map of lists or map of value→true), and Unix times as seconds[.nanoseconds].
/// </summary>
public static class DockerQuery
{
    public static bool Bool(this HttpRequest request, string name)
    {
        var value = request.Query[name].ToString().Trim().ToLowerInvariant();
        return value is not ("" or "0" or "no" or "false" or "none");
    }

    /// <summary>Moby's BoolValueOrDefault: the default only when the parameter is absent.</summary>
    public static bool Bool(this HttpRequest request, string name, bool defaultValue) =>
        request.Query.ContainsKey(name) ? request.Bool(name) : defaultValue;

    public static int? Int(this HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0)
            return null;
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidArgumentException($"invalid value for {name}: \"{value}\" is not an integer");
    }

    /// <summary>A terminal dimension (h or w) of a resize: an unsigned 16-bit number, else a 400.</summary>
    public static ushort Dimension(this HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0)
            return 0;
        return ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var dimension)
            ? dimension
            : throw new InvalidArgumentException($"invalid resize {name}: {value}: must be a number from 0 to 65535");
    }

    public static string? String(this HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value.ToString()) ? value.ToString() : null;

    /// <summary>The `filters` parameter; both shapes the CLI and the swagger use are accepted. Bad JSON is a 400.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Filters(this HttpRequest request) => ParseFilters(request.String("filters"));

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ParseFilters(string? json)
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
            return filters;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidArgumentException($"invalid filter: expected a JSON object, got {document.RootElement.ValueKind}");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                filters[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.Array => property.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String
                        ? v.GetString()!
                        : throw new InvalidArgumentException($"invalid filter '{property.Name}': values must be strings")).ToList(),
                    JsonValueKind.Object => property.Value.EnumerateObject().Where(v => v.Value.ValueKind == JsonValueKind.True).Select(v => v.Name).ToList(),
                    _ => throw new InvalidArgumentException($"invalid filter '{property.Name}': expected a list or a map of values"),
                };
            }
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"invalid filter: {e.Message}", e);
        }
        return filters;
    }

    /// <summary>Fails with Docker's message when a filter key is not one the endpoint knows.</summary>
    public static void RequireKnownKeys(IReadOnlyDictionary<string, IReadOnlyList<string>> filters, params string[] known)
    {
        foreach (var key in filters.Keys)
        {
            if (!known.Contains(key))
                throw new InvalidArgumentException($"invalid filter '{key}'");
        }
    }

    /// <summary>
    /// A time as Docker's API carries it (`since`, `until`): Unix seconds with an optional fraction of up to nine
    /// digits, or an RFC 3339 date; returned as nanoseconds since the epoch.
    /// </summary>
    public static long? UnixNanoseconds(this HttpRequest request, string name) => ParseUnixNanoseconds(request.String(name), name);

    /// <summary>The same time as a <see cref="DateTimeOffset"/>; null when absent.</summary>
    public static DateTimeOffset? UnixTime(this HttpRequest request, string name) =>
        request.UnixNanoseconds(name) is { } nanoseconds ? DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100) : null;

    public static long? ParseUnixNanoseconds(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        var parts = value.Split('.', 2);
        if (long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && Math.Abs(seconds) < 9_000_000_000
            && (parts.Length == 1 || (parts[1].Length is > 0 and <= 9 && parts[1].All(char.IsAsciiDigit))))
        {
            var nanos = parts.Length == 1 ? 0 : long.Parse(parts[1].PadRight(9, '0'), CultureInfo.InvariantCulture);
            return seconds * 1_000_000_000 + nanos;
        }
        if (value.Contains('-') && value.Contains('T') && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return (date.UtcDateTime - DateTime.UnixEpoch).Ticks * 100;
        throw new InvalidArgumentException($"invalid value for {name}: \"{value}\" is neither Unix seconds[.nanoseconds] nor an RFC 3339 time");
    }

    /// <summary>
    /// A filter time as Moby's GetTimestamp reads it: a Go duration before now ("10m", "1h30m"), Unix seconds (with an
    /// optional fraction), or an RFC 3339 date or time.
    /// </summary>
    public static DateTimeOffset FilterTime(string value, DateTimeOffset now)
    {
        if (TryParseGoDuration(value, out var duration))
            return now - duration;
        var dot = value.IndexOf('.');
        if (long.TryParse(dot < 0 ? value : value[..dot], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && (dot < 0 || value[(dot + 1)..].All(char.IsAsciiDigit)))
        {
            var fraction = dot < 0 ? "0" : value[(dot + 1)..].PadRight(9, '0')[..9];
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture) / 100);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time;
        throw new InvalidArgumentException($"invalid filter time \"{value}\": use a duration (10m), a Unix timestamp or an RFC 3339 time");
    }

    /// <summary>Go's time.ParseDuration for the units a user types: h, m, s, ms, us, ns (combined, with fractions).</summary>
    private static bool TryParseGoDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = value.AsSpan();
        if (rest.IsEmpty || !char.IsAsciiDigit(rest[0]) && rest[0] != '.')
            return false;
        double ticks = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
                numberLength++;
            if (numberLength == 0 || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                return false;
            rest = rest[numberLength..];
            var unitLength = 0;
            while (unitLength < rest.Length && char.IsAsciiLetter(rest[unitLength]))
                unitLength++;
            double? unit = rest[..unitLength] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" => 10,
                "ns" => 0.01,
                _ => null,
            };
            if (unit is null)
                return false;
            ticks += number * unit.Value;
            rest = rest[unitLength..];
        }
        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
