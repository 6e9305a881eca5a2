namespace WebEngine.Engine.Containers;

/// <summary>
/// Fills a container's configuration with its image's defaults, by Docker's rules: the user's values
/// win, image Env and Labels are added for keys the user did not set, and the image's Cmd only
/// applies when the user gave no Entrypoint.
/// </summary>
public static class ContainerConfigMerge
{
    public static ContainerConfig Apply(ContainerConfig user, ImageRuntimeConfig image)
    {
        var entrypoint = user.Entrypoint;
        var cmd = user.Cmd;
        if (entrypoint is null || entrypoint.Count == 0)
        {
            if (cmd is null || cmd.Count == 0)
                cmd = image.Cmd;
            // An explicit empty Entrypoint resets the image's; only an absent one inherits it.
            entrypoint ??= image.Entrypoint;
        }
        if (entrypoint is [""])
            entrypoint = null;

        var merged = user with
        {
            Entrypoint = entrypoint,
            Cmd = cmd,
            User = string.IsNullOrEmpty(user.User) ? image.User : user.User,
            WorkingDir = string.IsNullOrEmpty(user.WorkingDir) ? image.WorkingDir : user.WorkingDir,
            StopSignal = string.IsNullOrEmpty(user.StopSignal) ? image.StopSignal : user.StopSignal,
            Env = MergeEnv(user.Env, image.Env),
            Labels = MergeLabels(user.Labels, image.Labels),
            ExposedPorts = user.ExposedPorts.Union(image.ExposedPorts).ToHashSet(),
            Volumes = user.Volumes.Union(image.Volumes).ToHashSet(),
            Healthcheck = MergeHealthcheck(user.Healthcheck, image.Healthcheck),
        };
        if ((merged.Entrypoint is null || merged.Entrypoint.Count == 0) && (merged.Cmd is null || merged.Cmd.Count == 0))
            throw new InvalidArgumentException("no command specified");
        return merged;
    }

    /// <summary>The command line Docker runs: Entrypoint followed by Cmd.</summary>
    public static IReadOnlyList<string> CommandLine(ContainerConfig merged) =>
        [.. merged.Entrypoint ?? [], .. merged.Cmd ?? []];

    private static List<string> MergeEnv(IReadOnlyList<string> user, IReadOnlyList<string> image)
    {
        var result = user.ToList();
        var userKeys = user.Select(EnvKey).ToHashSet(StringComparer.Ordinal);
        result.AddRange(image.Where(e => !userKeys.Contains(EnvKey(e))));
        return result;
    }

    internal static string EnvKey(string entry)
    {
        var equals = entry.IndexOf('=');
        return equals < 0 ? entry : entry[..equals];
    }

    private static Dictionary<string, string> MergeLabels(IReadOnlyDictionary<string, string> user, IReadOnlyDictionary<string, string> image)
    {
        var result = new Dictionary<string, string>(user);
        foreach (var (key, value) in image)
            result.TryAdd(key, value);
        return result;
    }

    private static HealthConfig? MergeHealthcheck(HealthConfig? user, HealthConfig? image)
    {
        if (image is null || user is null)
            return user ?? image;
        return user with
        {
            Test = user.Test.Count == 0 ? image.Test : user.Test,
            Interval = user.Interval == 0 ? image.Interval : user.Interval,
            Timeout = user.Timeout == 0 ? image.Timeout : user.Timeout,
            StartPeriod = user.StartPeriod == 0 ? image.StartPeriod : user.StartPeriod,
            StartInterval = user.StartInterval == 0 ? image.StartInterval : user.StartInterval,
            Retries = user.Retries == 0 ? image.Retries : user.Retries,
        };
    }
}
