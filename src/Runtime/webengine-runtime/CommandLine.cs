namespace WebEngine.Runtime.Cli;

/// <summary>
/// runc's command-line shape: global flags, a command, then the command's flags before its positional
/// arguments ("--flag value", "--flag=value", "-f value"; "--" ends the flags).
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public bool Has(string name) => _switches.Contains(name);

    /// <summary>
    /// Parses <paramref name="args"/> from <paramref name="start"/>. <paramref name="valueFlags"/> and
    /// <paramref name="switchFlags"/> list the flags (aliases as "detach|d"); the first name is the key.
    /// With <paramref name="stopAtPositional"/> everything after the first positional is positional (exec's command).
    /// </summary>
    public static CommandLine Parse(IReadOnlyList<string> args, int start, string[] valueFlags, string[] switchFlags, bool stopAtPositional = false)
    {
        var result = new CommandLine();
        var values = Aliases(valueFlags);
        var switches = Aliases(switchFlags);
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (stopAtPositional && result.Positionals.Count > 0)
            {
                result.Positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                result.Positionals.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                result.Positionals.Add(arg);
                continue;
            }
            var name = arg.TrimStart('-');
            string? inline = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            if (values.TryGetValue(name, out var key))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new InvalidArgumentException($"flag --{name} needs a value"));
                if (!result._values.TryGetValue(key, out var list))
                    result._values[key] = list = [];
                list.Add(value);
            }
            else if (switches.TryGetValue(name, out key))
            {
                if (inline is null or "true")
                    result._switches.Add(key);
            }
            else
            {
                throw new InvalidArgumentException($"flag provided but not defined: {arg}");
            }
        }
        return result;
    }

    private static Dictionary<string, string> Aliases(string[] flags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in flags)
        {
            var names = flag.Split('|');
            foreach (var name in names)
                map[name] = names[0];
        }
        return map;
    }

    /// <summary>The single positional argument (the container id) a command requires.</summary>
    public string RequireId(string command, int expected = 1)
    {
        if (Positionals.Count < 1)
            throw new InvalidArgumentException($"{command}: the container id is required");
        if (Positionals.Count > expected)
            throw new InvalidArgumentException($"{command}: expected {expected} argument(s), got {Positionals.Count}");
        return Positionals[0];
    }
}
