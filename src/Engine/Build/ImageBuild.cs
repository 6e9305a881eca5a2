using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Build;

/// <summary>
/// One prepared build: runs the stages' instructions in order, each giving an image (metadata steps one with the
/// same layers, RUN, COPY, ADD and a new WORKDIR one with a layer committed from a container), and prints what
/// dockerd's classic builder prints. The images of intermediate steps are removed at the end (there is no build
/// cache to keep them for); the context directory when disposed.
/// </summary>
public sealed partial class ImageBuild : IAsyncDisposable
{
    /// <summary>The build arguments every build accepts without an ARG, and leaves out of the image's history.</summary>
    private static readonly HashSet<string> ProxyArgs =
        ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private readonly ImageBuilder _builder;
    private readonly BuildContext _context;
    private readonly Dockerfile _dockerfile;
    private readonly List<BuildStagePlan> _plan;
    private readonly BuildOptions _options;
    private readonly List<BuildStage> _stages = [];
    private readonly Dictionary<string, string?> _metaArgs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumedArgs = new(StringComparer.Ordinal);
    private readonly List<string> _createdImages = [];
    private IProgress<BuildOutput> _output = new Progress<BuildOutput>();

    internal ImageBuild(ImageBuilder builder, BuildContext context, Dockerfile dockerfile, List<BuildStagePlan> plan, BuildOptions options)
    {
        _builder = builder;
        _context = context;
        _dockerfile = dockerfile;
        _plan = plan;
        _options = options;
    }

    private ImageService Images => _builder.Images;

    public ValueTask DisposeAsync()
    {
        _context.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs the build; reports its text and the id of the image built, which it returns tagged with every tag.</summary>
    public async Task<ImageDetails> RunAsync(IProgress<BuildOutput> output, CancellationToken cancellationToken)
    {
        _output = output;
        var total = _plan.Sum(s => s.Instructions.Count);
        var step = 0;
        string? finalId = null;
        try
        {
            foreach (var plan in _plan)
            {
                BuildStage? stage = null;
                foreach (var instruction in plan.Instructions)
                {
                    Say($"Step {++step}/{total} : {instruction.Original}\n");
                    if (stage is null && instruction.Keyword == "ARG")
                    {
                        DeclareMetaArgs(instruction);
                        continue;
                    }
                    if (instruction.Keyword == "FROM")
                    {
                        stage = await FromAsync(plan.Name, instruction, cancellationToken);
                        _stages.Add(stage);
                        Say($" ---> {Short(stage.ImageId)}\n");
                        await RunTriggersAsync(stage, cancellationToken);
                        continue;
                    }
                    await DispatchAsync(stage!, instruction, cancellationToken);
                    Say($" ---> {Short(stage!.ImageId)}\n");
                }
            }
            finalId = _stages[^1].ImageId;
            var unused = _options.BuildArgs.Keys.Where(k => !_consumedArgs.Contains(k) && !ProxyArgs.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (unused.Count > 0)
                Say($"[Warning] One or more build-args [{string.Join(' ', unused)}] were not consumed\n");
        }
        finally
        {
            await RemoveIntermediateImagesAsync(finalId);
        }
        _output.Report(new BuildOutput(null, finalId));
        if (_options.Quiet)
            _output.Report(new BuildOutput(finalId + "\n"));
        Say($"Successfully built {Short(finalId)}\n");
        foreach (var tag in _options.Tags)
        {
            await Images.TagAsync(finalId, tag.ToString(), cancellationToken);
            Say($"Successfully tagged {tag.ToFamiliarString()}\n");
        }
        return await Images.InspectAsync(finalId, cancellationToken);
    }

    /// <summary>Text for the client, unless the build is quiet.</summary>
    private void Say(string text)
    {
        if (!_options.Quiet)
            _output.Report(new BuildOutput(text));
    }

    private static string Short(string id) => (id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id)[..12];

    private async Task DispatchAsync(BuildStage stage, DockerfileInstruction instruction, CancellationToken cancellationToken)
    {
        var words = stage.Words(_dockerfile.Escape);
        var config = stage.Config;
        switch (instruction.Keyword)
        {
            case "RUN":
                await RunStepAsync(stage, instruction, cancellationToken);
                return;
            case "COPY":
            case "ADD":
                await CopyAsync(stage, instruction, cancellationToken);
                return;
            case "WORKDIR":
                await WorkdirAsync(stage, words.Word(instruction.Arguments), cancellationToken);
                return;
            case "ENV":
                var envs = KeyValues(instruction, words);
                foreach (var (key, value) in envs)
                {
                    config.Env ??= [];
                    config.Env.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
                    config.Env.Add($"{key}={value}");
                }
                await CommitConfigAsync(stage, "ENV " + string.Join(' ', envs.Select(e => $"{e.Key}={e.Value}")), cancellationToken);
                return;
            case "LABEL":
                var labels = KeyValues(instruction, words);
                foreach (var (key, value) in labels)
                    (config.Labels ??= [])[key] = value;
                await CommitConfigAsync(stage, "LABEL " + string.Join(' ', labels.Select(e => $"{e.Key}={e.Value}")), cancellationToken);
                return;
            case "ARG":
                foreach (var word in instruction.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    var (name, value) = DeclareArg(word, words, _metaArgs);
                    stage.Args[name] = value;
                }
                await CommitConfigAsync(stage, "ARG " + instruction.Arguments, cancellationToken);
                return;
            case "CMD":
                config.Cmd = CommandOf(stage, instruction);
                stage.CmdSet = true;
                await CommitConfigAsync(stage, "CMD " + GoQuoted(config.Cmd), cancellationToken);
                return;
            case "ENTRYPOINT":
                config.Entrypoint = CommandOf(stage, instruction);
                if (!stage.CmdSet)
                    config.Cmd = null;
                await CommitConfigAsync(stage, "ENTRYPOINT " + GoQuoted(config.Entrypoint), cancellationToken);
                return;
            case "SHELL":
                stage.Shell = instruction.JsonArguments?.ToList() is { Count: > 0 } shell
                    ? shell
                    : throw new InvalidArgumentException("SHELL requires the arguments to be in JSON form");
                await CommitConfigAsync(stage, "SHELL " + GoList(stage.Shell), cancellationToken);
                return;
            case "EXPOSE":
                var ports = words.Words(instruction.Arguments).Select(p => p.Contains('/') ? p.ToLowerInvariant() : p + "/tcp").ToList();
                foreach (var port in ports)
                    (config.ExposedPorts ??= [])[port] = EmptyObject();
                await CommitConfigAsync(stage, "EXPOSE " + string.Join(' ', config.ExposedPorts!.Keys.Order(StringComparer.Ordinal)), cancellationToken);
                return;
            case "VOLUME":
                var volumes = instruction.JsonArguments?.ToList() ?? words.Words(instruction.Arguments);
                if (volumes.Count == 0 || volumes.Any(v => v.Trim().Length == 0))
                    throw new InvalidArgumentException("VOLUME specified can not be an empty string");
                foreach (var volume in volumes)
                    (config.Volumes ??= [])[volume] = EmptyObject();
                await CommitConfigAsync(stage, "VOLUME " + GoList(volumes), cancellationToken);
                return;
            case "USER":
                config.User = words.Word(instruction.Arguments);
                await CommitConfigAsync(stage, "USER " + config.User, cancellationToken);
                return;
            case "STOPSIGNAL":
                config.StopSignal = words.Word(instruction.Arguments);
                await CommitConfigAsync(stage, "STOPSIGNAL " + config.StopSignal, cancellationToken);
                return;
            case "MAINTAINER":
                stage.Author = instruction.Arguments;
                await CommitConfigAsync(stage, "MAINTAINER " + stage.Author, cancellationToken);
                return;
            case "HEALTHCHECK":
                config.Healthcheck = Healthcheck(instruction);
                await CommitConfigAsync(stage, "HEALTHCHECK " + GoQuoted(config.Healthcheck.Test!), cancellationToken);
                return;
            case "ONBUILD":
                var trigger = instruction.Arguments.Trim();
                var keyword = trigger.Split([' ', '\t'], 2)[0].ToUpperInvariant();
                if (keyword is "ONBUILD" or "FROM" or "MAINTAINER")
                    throw new InvalidArgumentException($"{keyword} isn't allowed as an ONBUILD trigger");
                Dockerfile.Parse(trigger);
                (config.OnBuild ??= []).Add(trigger);
                await CommitConfigAsync(stage, "ONBUILD " + trigger, cancellationToken);
                return;
            default:
                throw new InvalidArgumentException($"unknown instruction: {instruction.Keyword}");
        }
    }

    /// <summary>FROM: a previous stage, or an image of the store (pulled when missing, or always with pull).</summary>
    private async Task<BuildStage> FromAsync(string? name, DockerfileInstruction instruction, CancellationToken cancellationToken)
    {
        var metaWords = new ShellWords(_dockerfile.Escape, n => _metaArgs.GetValueOrDefault(n));
        var reference = metaWords.Word(instruction.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0]);
        if (instruction.Flags.TryGetValue("platform", out var platform))
        {
            var wanted = ImagePlatform.Parse(metaWords.Word(platform), Images.Options.Architecture);
            if (wanted.Os != "linux" || wanted.Architecture != Images.Options.Architecture)
                throw new InvalidArgumentException($"FROM --platform={platform}: this daemon builds only for linux/{Images.Options.Architecture}");
        }
        var image = await BaseImageAsync(reference, cancellationToken);
        var config = Clone(image.Config.Config ?? new ContainerConfig());
        return new BuildStage(name, image.Id, config) { Author = image.Config.Author };
    }

    private async Task<ImageDetails> BaseImageAsync(string reference, CancellationToken cancellationToken)
    {
        if (_stages.FirstOrDefault(s => s.Name == reference.ToLowerInvariant()) is { } previous)
            return await Images.InspectAsync(previous.ImageId, cancellationToken);
        if (reference == "scratch")
            return await ScratchAsync(cancellationToken);
        if (!_options.Pull)
        {
            try
            {
                return await Images.InspectAsync(reference, cancellationToken);
            }
            catch (NotFoundException)
            {
            }
        }
        var credential = _options.CredentialFor(ImageReference.ParseNormalized(reference));
        return await _builder.Puller.PullAsync(reference, credential, null, _options.Quiet ? null : new PullProgress(_output), cancellationToken);
    }

    /// <summary>FROM scratch: an image of no layers and an empty config, for this build only (removed with the intermediate ones).</summary>
    private async Task<ImageDetails> ScratchAsync(CancellationToken cancellationToken)
    {
        var config = new ImageConfig { Created = DateTime.UtcNow, Architecture = Images.Options.Architecture, Os = "linux", Config = new ContainerConfig(), History = [] };
        var image = await CommitImageAsync(config, [], cancellationToken);
        _createdImages.Add(image.Id);
        return image;
    }

    /// <summary>The base image's ONBUILD triggers run as if they followed FROM; the stage's image does not inherit them.</summary>
    private async Task RunTriggersAsync(BuildStage stage, CancellationToken cancellationToken)
    {
        if (stage.Config.OnBuild is not { Count: > 0 } triggers)
            return;
        stage.Config.OnBuild = null;
        Say($"# Executing {triggers.Count} build trigger{(triggers.Count == 1 ? "" : "s")}\n");
        foreach (var trigger in triggers)
            await DispatchAsync(stage, Dockerfile.Parse(trigger).Instructions[0], cancellationToken);
    }

    private void DeclareMetaArgs(DockerfileInstruction instruction)
    {
        var words = new ShellWords(_dockerfile.Escape, n => _metaArgs.GetValueOrDefault(n));
        foreach (var word in instruction.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = DeclareArg(word, words, null);
            _metaArgs[name] = value;
        }
    }

    /// <summary>ARG name[=default]: the --build-arg value wins, then the default, then (in a stage) the meta ARG's value.</summary>
    private (string Name, string? Value) DeclareArg(string word, ShellWords words, Dictionary<string, string?>? meta)
    {
        var equals = word.IndexOf('=');
        var name = equals < 0 ? word : word[..equals];
        if (name.Length == 0)
            throw new InvalidArgumentException($"ARG names can not be blank: {word}");
        _consumedArgs.Add(name);
        if (_options.BuildArgs.TryGetValue(name, out var given) && given is not null)
            return (name, given);
        if (equals >= 0)
            return (name, words.Word(word[(equals + 1)..]));
        return (name, meta?.GetValueOrDefault(name));
    }

    /// <summary>ENV and LABEL's `key=value ...` (quotes and substitution as the shell) or the legacy `key value` form.</summary>
    private static List<(string Key, string Value)> KeyValues(DockerfileInstruction instruction, ShellWords words)
    {
        var text = instruction.Arguments;
        var first = text.Split([' ', '\t'], 2);
        if (!first[0].Contains('='))
        {
            if (first.Length < 2)
                throw new InvalidArgumentException($"{instruction.Keyword} requires at least two arguments");
            return [(words.Word(first[0]), words.Word(first[1].Trim()))];
        }
        var pairs = new List<(string, string)>();
        foreach (var token in SplitUnquoted(text))
        {
            var equals = token.IndexOf('=');
            if (equals <= 0)
                throw new InvalidArgumentException($"Syntax error - can't find = in \"{token}\". Must be of the form: name=value");
            pairs.Add((words.Word(token[..equals]), words.Word(token[(equals + 1)..])));
        }
        return pairs;
    }

    /// <summary>Splits on white space outside quotes, keeping the quotes for the substitution that follows.</summary>
    private static List<string> SplitUnquoted(string text)
    {
        var tokens = new List<string>();
        var start = -1;
        char quote = '\0';
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                    i++;
                else if (c == quote)
                    quote = '\0';
                continue;
            }
            if (char.IsWhiteSpace(c) || i == text.Length)
            {
                if (start >= 0)
                    tokens.Add(text[start..i]);
                start = -1;
                continue;
            }
            if (start < 0)
                start = i;
            if (c == '\\')
                i++;
            else if (c is '"' or '\'')
                quote = c;
        }
        return tokens;
    }

    private static List<string> CommandOf(BuildStage stage, DockerfileInstruction instruction) =>
        instruction.JsonArguments?.ToList() ?? [.. stage.Shell, instruction.Arguments];

    private static HealthcheckConfig Healthcheck(DockerfileInstruction instruction)
    {
        var words = instruction.Arguments.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        var kind = words.Length == 0 ? "" : words[0].ToUpperInvariant();
        if (kind == "NONE")
            return new HealthcheckConfig { Test = ["NONE"] };
        if (kind != "CMD" || words.Length < 2)
            throw new InvalidArgumentException("Unknown type \"" + kind + "\" in HEALTHCHECK (try CMD)");
        var command = words[1].Trim();
        var test = Dockerfile.Parse("CMD " + command).Instructions[0].JsonArguments is { } exec ? ["CMD", .. exec] : new List<string> { "CMD-SHELL", command };
        return new HealthcheckConfig
        {
            Test = test,
            Interval = Duration(instruction, "interval"),
            Timeout = Duration(instruction, "timeout"),
            StartPeriod = Duration(instruction, "start-period"),
            Retries = instruction.Flags.TryGetValue("retries", out var retries)
                ? int.TryParse(retries, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0 ? count : throw new InvalidArgumentException("--retries must be at least 1")
                : null,
        };
    }

    /// <summary>A Go duration flag (1m30s, 500ms) in nanoseconds; absent is null.</summary>
    private static long? Duration(DockerfileInstruction instruction, string flag)
    {
        if (!instruction.Flags.TryGetValue(flag, out var value))
            return null;
        var match = GoDuration().Match(value);
        if (!match.Success)
            throw new InvalidArgumentException($"time: invalid duration \"{value}\"");
        double nanoseconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value.TrimStart("0123456789.".ToCharArray());
            var number = double.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            nanoseconds += number * unit switch { "ns" => 1, "us" or "µs" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, _ => 3600e9 };
        }
        return (long)nanoseconds;
    }

    [GeneratedRegex(@"^(?<part>[0-9.]+(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();

    /// <summary>Go's %q of a string slice, as dockerd writes CMD and ENTRYPOINT into the history: ["a" "b"].</summary>
    private static string GoQuoted(IEnumerable<string> values) => "[" + string.Join(' ', values.Select(v => JsonSerializer.Serialize(v))) + "]";

    /// <summary>Go's %v of a string slice: [a b].</summary>
    private static string GoList(IEnumerable<string> values) => "[" + string.Join(' ', values) + "]";

    private static JsonElement EmptyObject() => JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// A step that changes only the config: an image with the same layers, the stage's config, and a history entry
    /// "/bin/sh -c #(nop)  &lt;comment&gt;" marked as an empty layer, as dockerd records it.
    /// </summary>
    private async Task CommitConfigAsync(BuildStage stage, string comment, CancellationToken cancellationToken)
    {
        // dockerd commits even these steps from a container (it prints one, and it shows in the events): so do we.
        var container = await CreateContainerAsync(stage, ["/bin/sh", "-c", "#(nop) ", comment], [], cancellationToken);
        try
        {
            Say($" ---> Running in {container[..12]}\n");
            await CommitConfigOnlyAsync(stage, "/bin/sh -c #(nop)  " + comment, cancellationToken);
        }
        finally
        {
            await RemoveContainerAsync(container, announce: true);
        }
    }

    private async Task CommitConfigOnlyAsync(BuildStage stage, string createdBy, CancellationToken cancellationToken)
    {
        var parent = await Images.InspectAsync(stage.ImageId, cancellationToken);
        var now = DateTime.UtcNow;
        var config = Clone(parent.Config);
        config.Created = now;
        config.Author = stage.Author;
        config.Config = Clone(stage.Config);
        config.Extra?.Remove("container");
        config.Extra?.Remove("container_config");
        config.History = [.. config.History ?? [], new ImageHistoryEntry { Created = now, CreatedBy = createdBy, EmptyLayer = true }];
        var layers = parent.Layers.Select(l => new OciDescriptor { MediaType = l.MediaType, Digest = l.BlobDigest, Size = l.BlobSize }).ToList();
        Advance(stage, (await CommitImageAsync(config, layers, cancellationToken)).Id);
    }

    /// <summary>An image of layers already in the store under a new config; the config blob is kept from collection until the image refers to it.</summary>
    private async Task<ImageDetails> CommitImageAsync(ImageConfig config, IReadOnlyList<OciDescriptor> layers, CancellationToken cancellationToken)
    {
        var lease = await Images.BeginIngestAsync(cancellationToken);
        try
        {
            var digest = await Images.Content.WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(config, ImageJsonContext.Default.ImageConfig), cancellationToken);
            return await Images.CommitAsync(digest, layers, null, [], null, cancellationToken);
        }
        finally
        {
            lease.Dispose();
        }
    }

    private void Advance(BuildStage stage, string imageId)
    {
        stage.ImageId = imageId;
        if (!_createdImages.Contains(imageId))
            _createdImages.Add(imageId);
    }

    /// <summary>Every image a step made but the one built; also after a failure, so a failed build leaves no image.</summary>
    private async Task RemoveIntermediateImagesAsync(string? keep)
    {
        foreach (var id in Enumerable.Reverse(_createdImages).Where(id => id != keep))
        {
            try
            {
                await Images.RemoveAsync(id, force: true, CancellationToken.None);
            }
            catch (Exception e) when (e is NotFoundException or ConflictException)
            {
                // Gone already, or used by a container the build kept (a failed step without forcerm): dockerd keeps those too.
            }
        }
    }

    private static T Clone<T>(T value) where T : class =>
        (T)JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), ImageJsonContext.Default), typeof(T), ImageJsonContext.Default)!;
}

/// <summary>A FROM's pull progress, passed on as docker pull shows it.</summary>
internal sealed class PullProgress(IProgress<BuildOutput> output) : IProgress<ImageProgress>
{
    public void Report(ImageProgress value) => output.Report(new BuildOutput(null, Pull: value));
}

/// <summary>A stage while it is built: its current image and config, its ARGs, its SHELL.</summary>
internal sealed class BuildStage(string? name, string imageId, ContainerConfig config)
{
    public string? Name { get; } = name;
    public string ImageId { get; set; } = imageId;
    public ContainerConfig Config { get; } = config;
    public Dictionary<string, string?> Args { get; } = new(StringComparer.Ordinal);
    public List<string> Shell { get; set; } = ["/bin/sh", "-c"];
    public bool CmdSet { get; set; }
    public string? Author { get; set; }

    /// <summary>Substitution in this stage: ENV values first, then ARG values.</summary>
    public ShellWords Words(char escape) => new(escape, name =>
        Config.Env?.LastOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal)) is { } env ? env[(name.Length + 1)..] : Args.GetValueOrDefault(name));
}
