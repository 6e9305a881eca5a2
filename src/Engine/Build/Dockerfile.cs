using System.Text;
using System.Text.Json;

namespace WebEngine.Engine.Build;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), its --flags, and its arguments as written.</summary>
public sealed record DockerfileInstruction(string Keyword, IReadOnlyDictionary<string, string> Flags, string Arguments, string Original, int Line)
{
    /// <summary>The JSON (exec) form's strings when the arguments are a JSON array of strings, else null (shell form).</summary>
    public IReadOnlyList<string>? JsonArguments { get; init; }
}

/// <summary>A parsed Dockerfile: its escape character and its instructions in order.</summary>
public sealed record Dockerfile(char Escape, IReadOnlyList<DockerfileInstruction> Instructions)
{
    private static readonly HashSet<string> Known =
    [
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
        "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ];

    /// <summary>
    /// Parses the Dockerfile syntax the classic builder reads: parser directives (only `escape` has an effect) at the
    /// top, comment lines, line continuations with the escape character, and `--name=value` flags before the
    /// arguments. Errors are worded as dockerd's parser words them.
    /// </summary>
    public static Dockerfile Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var escape = '\\';
        var index = 0;
        for (; index < lines.Length; index++)
        {
            var directive = lines[index].Trim();
            if (!directive.StartsWith('#'))
                break;
            var body = directive[1..].Trim();
            var equals = body.IndexOf('=');
            if (equals <= 0 || body[..equals].Trim().Contains(' '))
                break;
            var name = body[..equals].Trim().ToLowerInvariant();
            var value = body[(equals + 1)..].Trim();
            if (name == "escape")
            {
                if (value is not ("\\" or "`"))
                    throw new InvalidArgumentException($"invalid ESCAPE '{value}'. Must be ` or \\");
                escape = value[0];
            }
        }
        var instructions = new List<DockerfileInstruction>();
        while (index < lines.Length)
        {
            var start = 0;
            var logical = new StringBuilder();
            while (index < lines.Length)
            {
                var line = lines[index++];
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith('#') || (trimmed.Length == 0 && logical.Length > 0))
                    continue;
                if (start == 0)
                    start = index;
                var end = line.TrimEnd();
                if (end.Length > 0 && end[^1] == escape)
                {
                    logical.Append(end[..^1]);
                    continue;
                }
                logical.Append(line);
                break;
            }
            var content = logical.ToString().Trim();
            if (content.Length == 0)
                continue;
            instructions.Add(ParseInstruction(content, start));
        }
        return new Dockerfile(escape, instructions);
    }

    private static DockerfileInstruction ParseInstruction(string content, int line)
    {
        var space = content.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? content : content[..space]).ToUpperInvariant();
        var rest = space < 0 ? "" : content[(space + 1)..].TrimStart();
        if (!Known.Contains(keyword))
            throw new InvalidArgumentException($"dockerfile parse error on line {line}: unknown instruction: {(space < 0 ? content : content[..space])}");
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keyword is not ("ONBUILD" or "ENV" or "LABEL" or "ARG" or "CMD" or "ENTRYPOINT" or "SHELL"))
        {
            while (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var next = rest.IndexOfAny([' ', '\t']);
                var flag = next < 0 ? rest : rest[..next];
                rest = next < 0 ? "" : rest[(next + 1)..].TrimStart();
                var equals = flag.IndexOf('=');
                flags[equals < 0 ? flag[2..] : flag[2..equals]] = equals < 0 ? "true" : flag[(equals + 1)..];
            }
        }
        return new DockerfileInstruction(keyword, flags, rest, content, line) { JsonArguments = JsonForm(rest) };
    }

    private static List<string>? JsonForm(string arguments)
    {
        if (!arguments.StartsWith('['))
            return null;
        try
        {
            using var document = JsonDocument.Parse(arguments);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                return null;
            var values = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                    return null;
                values.Add(element.GetString()!);
            }
            return values;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
