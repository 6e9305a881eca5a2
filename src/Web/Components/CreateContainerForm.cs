using System.Globalization;
using System.Text.RegularExpressions;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Web.Components;

/// <summary>
/// The create-container form: what the user typed, checked field by field the way the docker CLI checks its flags,
/// then turned into the engine's create request (whose own validation gives the API's errors for the rest).
/// </summary>
public sealed partial class CreateContainerForm
{
    public string Image { get; set; } = "";
    public string Name { get; set; } = "";
    public string Command { get; set; } = "";
    public string Entrypoint { get; set; } = "";

    /// <summary>One KEY=value a line.</summary>
    public string Env { get; set; } = "";

    /// <summary>One source:destination[:ro] a line; the source is a volume name or a host path.</summary>
    public string Volumes { get; set; } = "";

    /// <summary>One key=value a line.</summary>
    public string Labels { get; set; } = "";

    /// <summary>One docker run -p a line: [ip:][hostPort:]containerPort[/proto].</summary>
    public string Ports { get; set; } = "";

    /// <summary>docker run's --network: empty for the default bridge, none, host, bridge or a network's name.</summary>
    public string Network { get; set; } = "";

    public string RestartPolicy { get; set; } = "no";
    public int MaximumRetryCount { get; set; }

    /// <summary>Docker's memory syntax: 512m, 1g, 1048576.</summary>
    public string Memory { get; set; } = "";

    /// <summary>Docker's --cpus: a decimal number of CPUs.</summary>
    public string Cpus { get; set; } = "";

    public bool Tty { get; set; }
    public bool AutoRemove { get; set; }
    public bool StartAfterCreate { get; set; } = true;

    /// <summary>Each field's error, by field name; empty when the form can be sent.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Image))
            errors[nameof(Image)] = "an image is required";
        else if (Image.Trim().Any(char.IsWhiteSpace))
            errors[nameof(Image)] = "invalid reference format";
        else if (Repository(Image.Trim()) is var repository && repository != repository.ToLowerInvariant())
            errors[nameof(Image)] = $"invalid reference format: repository name ({repository}) must be lowercase";
        if (Name.Length > 0 && !NamePattern().IsMatch(Name))
            errors[nameof(Name)] = $"Invalid container name ({Name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed";
        TryWords(Command, nameof(Command), errors);
        TryWords(Entrypoint, nameof(Entrypoint), errors);
        foreach (var line in Lines(Env))
        {
            if (line.StartsWith('='))
                errors[nameof(Env)] = $"invalid environment variable: {line}";
        }
        foreach (var line in Lines(Volumes))
        {
            var parts = line.Split(':');
            if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !parts[1].StartsWith('/'))
                errors[nameof(Volumes)] = $"invalid volume specification: '{line}' (source:/destination[:ro])";
            else if (parts.Length == 3 && parts[2] is not ("ro" or "rw"))
                errors[nameof(Volumes)] = $"invalid mode: {parts[2]}";
        }
        foreach (var line in Lines(Labels))
        {
            if (line.StartsWith('='))
                errors[nameof(Labels)] = $"invalid label: {line}";
        }
        try
        {
            PortMappings.Parse(Lines(Ports));
        }
        catch (FormatException e)
        {
            errors[nameof(Ports)] = e.Message;
        }
        if (Network.Trim().Any(char.IsWhiteSpace))
            errors[nameof(Network)] = $"invalid network name: {Network.Trim()}";
        if (!WebEngine.Engine.Containers.RestartPolicy.KnownNames.Contains(RestartPolicy))
            errors[nameof(RestartPolicy)] = $"invalid restart policy '{RestartPolicy}'";
        else if (MaximumRetryCount < 0)
            errors[nameof(MaximumRetryCount)] = "maximum retry count cannot be negative";
        else if (MaximumRetryCount > 0 && RestartPolicy != "on-failure")
            errors[nameof(MaximumRetryCount)] = "maximum retry count can only be used with 'on-failure'";
        if (Memory.Length > 0 && ByteSize.Parse(Memory) is not { } memory)
            errors[nameof(Memory)] = $"invalid size: '{Memory}'";
        else if (Memory.Length > 0 && ByteSize.Parse(Memory) < 6 * 1024 * 1024)
            errors[nameof(Memory)] = "Minimum memory limit allowed is 6MB";
        if (Cpus.Length > 0 && (!double.TryParse(Cpus, NumberStyles.Float, CultureInfo.InvariantCulture, out var cpus) || cpus <= 0))
            errors[nameof(Cpus)] = $"invalid argument \"{Cpus}\" for \"--cpus\" flag: a positive number of CPUs is required";
        return errors;
    }

    /// <summary>The engine's create request; call only when <see cref="Validate"/> found nothing.</summary>
    public ContainerCreateRequest ToRequest()
    {
        var command = DockerRunCommand.Split(Command);
        var ports = PortMappings.Parse(Lines(Ports));
        var entrypoint = DockerRunCommand.Split(Entrypoint);
        var config = new ContainerConfig
        {
            Image = Image.Trim(),
            Cmd = command.Count > 0 ? command : null,
            Entrypoint = entrypoint.Count > 0 ? entrypoint : null,
            Env = [.. Lines(Env)],
            Labels = Lines(Labels).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal),
            Tty = Tty,
            ExposedPorts = ports.Keys.ToHashSet(StringComparer.Ordinal),
            AttachStdout = true,
            AttachStderr = true,
        };
        var host = new HostConfig
        {
            Binds = [.. Lines(Volumes)],
            PortBindings = ports,
            NetworkMode = Network.Trim(),
            AutoRemove = AutoRemove,
            RestartPolicy = new RestartPolicy(RestartPolicy, MaximumRetryCount),
            Memory = Memory.Length > 0 ? ByteSize.Parse(Memory) ?? 0 : 0,
            NanoCpus = Cpus.Length > 0 ? (long)(double.Parse(Cpus, CultureInfo.InvariantCulture) * 1e9) : 0,
        };
        return new ContainerCreateRequest(config, host, Name.Length > 0 ? Name : null);
    }

    /// <summary>The reference without its digest and tag.</summary>
    private static string Repository(string reference)
    {
        var at = reference.IndexOf('@');
        if (at >= 0)
            reference = reference[..at];
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void TryWords(string text, string field, Dictionary<string, string> errors)
    {
        try
        {
            DockerRunCommand.Split(text);
        }
        catch (FormatException e)
        {
            errors[field] = e.Message;
        }
    }

    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
