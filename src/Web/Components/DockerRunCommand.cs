using System.Globalization;
using System.Text;
using WebEngine.Engine.Containers;

namespace WebEngine.Web.Components;

/// <summary>The `docker run` command line that creates a container with the same configuration.</summary>
public static class DockerRunCommand
{
    public static string Format(ContainerConfig config, HostConfig host, string? name)
    {
        var args = new List<string> { "docker", "run", "-d" };
        if (!string.IsNullOrEmpty(name))
            args.AddRange(["--name", name.TrimStart('/')]);
        if (config.Tty)
            args.Add("-t");
        if (config.OpenStdin)
            args.Add("-i");
        if (host.AutoRemove)
            args.Add("--rm");
        foreach (var env in config.Env)
            args.AddRange(["-e", env]);
        foreach (var bind in host.Binds)
            args.AddRange(["-v", bind]);
        foreach (var port in PortMappings.Format(host.PortBindings))
            args.AddRange(["-p", port]);
        foreach (var (key, value) in config.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            args.AddRange(["--label", $"{key}={value}"]);
        if (!host.RestartPolicy.IsNone)
        {
            args.AddRange(["--restart", host.RestartPolicy.Name == "on-failure" && host.RestartPolicy.MaximumRetryCount > 0
                ? $"on-failure:{host.RestartPolicy.MaximumRetryCount}"
                : host.RestartPolicy.Name]);
        }
        if (host.Memory > 0)
            args.AddRange(["--memory", host.Memory.ToString(CultureInfo.InvariantCulture)]);
        if (host.NanoCpus > 0)
            args.AddRange(["--cpus", (host.NanoCpus / 1e9).ToString("0.###", CultureInfo.InvariantCulture)]);
        if (!string.IsNullOrEmpty(config.WorkingDir))
            args.AddRange(["-w", config.WorkingDir]);
        if (!string.IsNullOrEmpty(config.User))
            args.AddRange(["-u", config.User]);
        if (!string.IsNullOrEmpty(host.NetworkMode) && host.NetworkMode != "default")
            args.AddRange(["--network", host.NetworkMode]);
        if (host.Privileged)
            args.Add("--privileged");
        var entrypoint = config.Entrypoint;
        if (entrypoint is { Count: > 0 })
            args.AddRange(["--entrypoint", entrypoint[0]]);
        args.Add(config.Image);
        if (entrypoint is { Count: > 1 })
            args.AddRange(entrypoint.Skip(1));
        if (config.Cmd is { } cmd)
            args.AddRange(cmd);
        return string.Join(' ', args.Select(Quote));
    }

    /// <summary>POSIX shell quoting: bare when safe, else single quotes.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c)))
            return word;
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Splits a command line into words as a POSIX shell does for quotes and backslashes (no expansions).</summary>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                        words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    break;
                case '\'':
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                        throw new FormatException("unterminated single quote");
                    word.Append(commandLine, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i++;
                    while (i < commandLine.Length && commandLine[i] != '"')
                    {
                        if (commandLine[i] == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                            i++;
                        word.Append(commandLine[i]);
                        i++;
                    }
                    if (i >= commandLine.Length)
                        throw new FormatException("unterminated double quote");
                    inWord = true;
                    break;
                case '\\' when i + 1 < commandLine.Length:
                    word.Append(commandLine[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }
}
