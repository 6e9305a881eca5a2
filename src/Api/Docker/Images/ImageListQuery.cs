using System.Text.RegularExpressions;
using WebEngine.Engine;
using WebEngine.Engine.Images;

namespace WebEngine.Api.Docker;

/// <summary>
/// The filters of `GET /images/json` as Moby applies them: dangling, label (key, key=value), reference (a glob over
/// the familiar name with or without its tag; only the matching tags are listed), before and since (an image).
/// </summary>
public static class ImageListQuery
{
    private static readonly string[] Keys = ["dangling", "label", "reference", "before", "since", "until"];

    public static async Task<IReadOnlyList<ImageSummaryJson>> ApplyAsync(ImageService images, IReadOnlyList<ImageDetails> all,
        IReadOnlyDictionary<string, IReadOnlyList<string>> filters, CancellationToken cancellationToken)
    {
        DockerQuery.RequireKnownKeys(filters, Keys);
        IEnumerable<ImageDetails> selected = all;
        if (filters.TryGetValue("dangling", out var dangling) && dangling.Count > 0)
        {
            var wanted = ParseBool("dangling", dangling);
            selected = selected.Where(i => (i.RepoTags.Count == 0) == wanted);
        }
        if (filters.TryGetValue("label", out var labels))
            selected = selected.Where(i => labels.All(l => HasLabel(i.Config.Config?.Labels, l)));
        foreach (var (key, older) in new[] { ("before", true), ("since", false) })
        {
            if (!filters.TryGetValue(key, out var names))
                continue;
            foreach (var name in names)
            {
                var pivot = await images.InspectAsync(name, cancellationToken);
                selected = selected.Where(i => older ? i.Created < pivot.Created : i.Created > pivot.Created);
            }
        }
        if (filters.TryGetValue("until", out var until))
        {
            foreach (var value in until)
            {
                var limit = PruneUntil.Parse(value);
                selected = selected.Where(i => i.Created < limit);
            }
        }
        if (!filters.TryGetValue("reference", out var patterns) || patterns.Count == 0)
            return selected.Select(i => ImageSummaryJson.From(i)).ToList();
        var matchers = patterns.Select(Glob).ToList();
        var rows = new List<ImageSummaryJson>();
        foreach (var image in selected)
        {
            var tags = image.RepoTags.Where(t => matchers.Any(m => MatchesReference(m, t))).ToList();
            var digests = image.RepoDigests.Where(d => matchers.Any(m => MatchesReference(m, d))).ToList();
            if (tags.Count > 0 || digests.Count > 0)
                rows.Add(ImageSummaryJson.From(image, tags, digests));
        }
        return rows;
    }

    /// <summary>Moby's FamiliarMatch: the pattern against "name:tag", then against the name alone.</summary>
    private static bool MatchesReference(Regex pattern, string familiar)
    {
        if (pattern.IsMatch(familiar))
            return true;
        var at = familiar.IndexOf('@');
        var name = at >= 0 ? familiar[..at] : familiar;
        if (at >= 0)
            return pattern.IsMatch(name);
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') && pattern.IsMatch(name[..colon]);
    }

    /// <summary>Go's path.Match: * and ? do not cross '/', [...] is a character class.</summary>
    private static Regex Glob(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': regex.Append("[^/]*"); break;
                case '?': regex.Append("[^/]"); break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                        throw new InvalidArgumentException($"invalid filter 'reference={pattern}': syntax error in pattern");
                    var set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('^') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    private static bool ParseBool(string key, IReadOnlyList<string> values) => values[0].ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        var other => throw new InvalidArgumentException($"invalid filter '{key}={other}'"),
    };

    internal static bool HasLabel(IReadOnlyDictionary<string, string>? labels, string filter)
    {
        var equals = filter.IndexOf('=');
        if (labels is null)
            return false;
        return equals < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..equals], out var value) && value == filter[(equals + 1)..];
    }
}

/// <summary>The `until` filter of prune: a timestamp (Unix seconds, RFC 3339) or a duration before now ("24h", "10m30s").</summary>
public static partial class PruneUntil
{
    public static DateTime Parse(string value)
    {
        if (DurationPattern().Match(value) is { Success: true } match)
        {
            var total = TimeSpan.Zero;
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unit = part.Value.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.');
                var number = double.Parse(part.Value[..^unit.Length], System.Globalization.CultureInfo.InvariantCulture);
                total += unit switch
                {
                    "h" => TimeSpan.FromHours(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "s" => TimeSpan.FromSeconds(number),
                    "ms" => TimeSpan.FromMilliseconds(number),
                    _ => TimeSpan.Zero,
                };
            }
            return DateTime.UtcNow - total;
        }
        var nanos = DockerQuery.ParseUnixNanoseconds(value, "until")!.Value;
        return DateTime.UnixEpoch.AddTicks(nanos / 100);
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s))+$")]
    private static partial Regex DurationPattern();
}
