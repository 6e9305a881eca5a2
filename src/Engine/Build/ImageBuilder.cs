using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Registry;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Build;

/// <summary>
/// docker build with the classic builder: the context is unpacked and the Dockerfile parsed and checked before any
/// output (so a bad one is a plain error answer), then <see cref="ImageBuild.RunAsync"/> runs it step by step.
/// </summary>
public sealed class ImageBuilder(ImageService images, ContainerService containers, ImagePuller puller)
{
    internal ImageService Images => images;
    internal ContainerService Containers => containers;
    internal ImagePuller Puller => puller;

    public async Task<ImageBuild> PrepareAsync(Stream contextTar, BuildOptions options, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(images.Options.DataRoot, "tmp");
        Directory.CreateDirectory(staging);
        var context = await BuildContext.ExtractAsync(contextTar, staging, cancellationToken);
        try
        {
            var text = context.ReadDockerfile(options.Dockerfile);
            var dockerfile = Dockerfile.Parse(text);
            if (dockerfile.Instructions.Count == 0)
                throw new InvalidArgumentException($"the Dockerfile ({options.Dockerfile}) cannot be empty");
            return new ImageBuild(this, context, dockerfile, Stages(dockerfile, options), options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The meta ARGs before the first FROM, then one list per stage up to the target (the --label step added to it).</summary>
    private static List<BuildStagePlan> Stages(Dockerfile dockerfile, BuildOptions options)
    {
        var stages = new List<BuildStagePlan>();
        var meta = new BuildStagePlan(null);
        stages.Add(meta);
        foreach (var instruction in dockerfile.Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length is not (1 or 3) || words.Length == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidArgumentException($"dockerfile parse error on line {instruction.Line}: FROM requires either one or three arguments");
                stages.Add(new BuildStagePlan(words.Length == 3 ? words[2].ToLowerInvariant() : null));
            }
            else if (stages.Count == 1 && instruction.Keyword != "ARG")
                throw new InvalidArgumentException($"dockerfile parse error on line {instruction.Line}: no build stage in current context");
            stages[^1].Instructions.Add(instruction);
        }
        if (stages.Count == 1)
            throw new InvalidArgumentException("dockerfile parse error: no build stage in current context");
        if (options.Target is { } target)
        {
            var index = stages.FindIndex(1, s => s.Name == target.ToLowerInvariant());
            if (index < 0)
                throw new InvalidArgumentException($"failed to reach build target {target} in Dockerfile");
            stages.RemoveRange(index + 1, stages.Count - index - 1);
        }
        if (options.Labels.Count > 0)
        {
            var labels = string.Join(' ', options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"\"{l.Key}\"=\"{l.Value}\""));
            stages[^1].Instructions.Add(new DockerfileInstruction("LABEL", new Dictionary<string, string>(), labels, "LABEL " + labels, 0));
        }
        return stages;
    }
}

/// <summary>A stage's name ("FROM x AS name"; null for none and for the meta ARGs) and its instructions, FROM first.</summary>
internal sealed record BuildStagePlan(string? Name)
{
    public List<DockerfileInstruction> Instructions { get; } = [];
}
