using System.Text.Json;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>
/// The Dockerfile instructions `docker import --change` accepts (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
/// STOPSIGNAL, USER, VOLUME, WORKDIR), applied to an image's container config.
/// </summary>
public static class ImageChanges
{
    public static void Apply(ContainerConfig config, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var trimmed = change.Trim();
            var space = trimmed.IndexOfAny([' ', '\t']);
            var instruction = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            switch (instruction)
            {
                case "CMD":
                    config.Cmd = CommandForm(argument);
                    break;
                case "ENTRYPOINT":
                    config.Entrypoint = CommandForm(argument);
                    break;
                case "ENV":
                    foreach (var (key, value) in KeyValues(argument, change))
                    {
                        config.Env ??= [];
                        config.Env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
                        config.Env.Add($"{key}={value}");
                    }
                    break;
                case "LABEL":
                    foreach (var (key, value) in KeyValues(argument, change))
                        (config.Labels ??= [])[key] = value;
                    break;
                case "EXPOSE":
                    foreach (var port in argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        (config.ExposedPorts ??= [])[port.Contains('/') ? port : port + "/tcp"] = EmptyObject();
                    break;
                case "VOLUME":
                    foreach (var volume in argument.StartsWith('[') ? JsonArray(argument, change) : (IEnumerable<string>)argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        (config.Volumes ??= [])[volume] = EmptyObject();
                    break;
                case "WORKDIR":
                    config.WorkingDir = argument;
                    break;
                case "USER":
                    config.User = argument;
                    break;
                case "STOPSIGNAL":
                    config.StopSignal = argument;
                    break;
                case "ONBUILD":
                    break;
                default:
                    throw new InvalidArgumentException($"import: \"{change}\" is not a change import accepts (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)");
            }
        }
    }

    /// <summary>JSON array form as given, shell form wrapped in /bin/sh -c (as the Dockerfile does).</summary>
    private static List<string> CommandForm(string argument) =>
        argument.StartsWith('[') ? JsonArray(argument, argument) : ["/bin/sh", "-c", argument];

    private static List<string> JsonArray(string argument, string change)
    {
        try
        {
            using var document = JsonDocument.Parse(argument);
            return document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidArgumentException($"import: \"{change}\": not a JSON array of strings", e);
        }
    }

    /// <summary>`KEY=VALUE ...` (values may be double-quoted) or the legacy `KEY VALUE` form.</summary>
    private static IEnumerable<(string Key, string Value)> KeyValues(string argument, string change)
    {
        if (!argument.Contains('='))
        {
            var space = argument.IndexOf(' ');
            if (space <= 0)
                throw new InvalidArgumentException($"import: \"{change}\" needs KEY=VALUE");
            yield return (argument[..space], argument[(space + 1)..].Trim());
            yield break;
        }
        var i = 0;
        while (i < argument.Length)
        {
            while (i < argument.Length && argument[i] == ' ')
                i++;
            if (i >= argument.Length)
                yield break;
            var eq = argument.IndexOf('=', i);
            if (eq < 0)
                throw new InvalidArgumentException($"import: \"{change}\" needs KEY=VALUE");
            var key = argument[i..eq];
            i = eq + 1;
            string value;
            if (i < argument.Length && argument[i] == '"')
            {
                var close = argument.IndexOf('"', i + 1);
                if (close < 0)
                    throw new InvalidArgumentException($"import: \"{change}\" has an unterminated quote");
                value = argument[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var end = argument.IndexOf(' ', i);
                if (end < 0)
                    end = argument.Length;
                value = argument[i..end];
                i = end;
            }
            yield return (key, value);
        }
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
