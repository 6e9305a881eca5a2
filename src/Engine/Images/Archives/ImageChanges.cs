using System.Text.Json;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images.Archives;

/// <summary>
/// The Dockerfile instructions `docker import --change` (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER,
/// VOLUME, WORKDIR) and `docker commit --change` (the same but STOPSIGNAL, as dockerd) accept, applied to an image's
/// container config. A change may hold several instructions, one a line.
/// </summary>
public static class ImageChanges
{
    private static readonly HashSet<string> CommitInstructions =
        ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"];

    /// <summary>docker import's changes; an instruction it does not take is refused naming those it does.</summary>
    public static void Apply(ContainerConfig config, IEnumerable<string> changes) =>
        Apply(config, changes, "import", instruction => instruction != "STOPSIGNAL" && !CommitInstructions.Contains(instruction)
            ? $"import: {instruction} is not a change import accepts (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)"
            : null);

    /// <summary>docker commit's changes; an instruction it does not take is refused with dockerd's message.</summary>
    public static void ApplyToCommit(ContainerConfig config, IEnumerable<string> changes) =>
        Apply(config, changes, "commit", instruction => CommitInstructions.Contains(instruction)
            ? null
            : $"{instruction.ToLowerInvariant()} is not a valid change command");

    /// <param name="refusal">The error message for an instruction the operation does not take; null when it takes it.</param>
    private static void Apply(ContainerConfig config, IEnumerable<string> changes, string operation, Func<string, string?> refusal)
    {
        var lines = changes.SelectMany(c => c.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
        foreach (var change in lines)
        {
            var space = change.IndexOfAny([' ', '\t']);
            var instruction = (space < 0 ? change : change[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : change[(space + 1)..].Trim();
            if (refusal(instruction) is { } message)
                throw new InvalidArgumentException(message);
            switch (instruction)
            {
                case "CMD":
                    config.Cmd = CommandForm(argument, operation);
                    break;
                case "ENTRYPOINT":
                    config.Entrypoint = CommandForm(argument, operation);
                    break;
                case "ENV":
                    foreach (var (key, value) in KeyValues(argument, change, operation))
                    {
                        config.Env ??= [];
                        config.Env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
                        config.Env.Add($"{key}={value}");
                    }
                    break;
                case "LABEL":
                    foreach (var (key, value) in KeyValues(argument, change, operation))
                        (config.Labels ??= [])[key] = value;
                    break;
                case "EXPOSE":
                    foreach (var port in argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        (config.ExposedPorts ??= [])[port.Contains('/') ? port : port + "/tcp"] = EmptyObject();
                    break;
                case "VOLUME":
                    foreach (var volume in argument.StartsWith('[') ? JsonArray(argument, change, operation) : (IEnumerable<string>)argument.Split(' ', StringSplitOptions.RemoveEmptyEntries))
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
                    (config.OnBuild ??= []).Add(argument);
                    break;
            }
        }
    }

    /// <summary>JSON array form as given, shell form wrapped in /bin/sh -c (as the Dockerfile does).</summary>
    private static List<string> CommandForm(string argument, string operation) =>
        argument.StartsWith('[') ? JsonArray(argument, argument, operation) : ["/bin/sh", "-c", argument];

    private static List<string> JsonArray(string argument, string change, string operation)
    {
        try
        {
            using var document = JsonDocument.Parse(argument);
            return document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidArgumentException($"{operation}: \"{change}\": not a JSON array of strings", e);
        }
    }

    /// <summary>`KEY=VALUE ...` (values may be double-quoted) or the legacy `KEY VALUE` form.</summary>
    private static IEnumerable<(string Key, string Value)> KeyValues(string argument, string change, string operation)
    {
        if (!argument.Contains('='))
        {
            var space = argument.IndexOf(' ');
            if (space <= 0)
                throw new InvalidArgumentException($"{operation}: \"{change}\" needs KEY=VALUE");
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
                throw new InvalidArgumentException($"{operation}: \"{change}\" needs KEY=VALUE");
            var key = argument[i..eq];
            i = eq + 1;
            string value;
            if (i < argument.Length && argument[i] == '"')
            {
                var close = argument.IndexOf('"', i + 1);
                if (close < 0)
                    throw new InvalidArgumentException($"{operation}: \"{change}\" has an unterminated quote");
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

    /// <summary>The {} Docker writes as the value of each exposed port and volume.</summary>
    internal static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
