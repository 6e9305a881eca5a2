using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Security;

/// <summary>What seccomp a container gets.</summary>
public enum SeccompMode
{
    Default,
    Unconfined,
    Custom,
}

/// <summary>HostConfig.SecurityOpt parsed: "key=value" or "key:value" entries as Docker accepts them.</summary>
public sealed record SecurityOptions
{
    public bool NoNewPrivileges { get; init; }
    public SeccompMode Seccomp { get; init; } = SeccompMode.Default;

    /// <summary>The profile JSON when <see cref="Seccomp"/> is Custom.</summary>
    public string? SeccompProfileJson { get; init; }

    /// <summary>"unconfined" or a profile name; WebEngine writes none when this is null.</summary>
    public string? AppArmorProfile { get; init; }

    /// <summary>systempaths=unconfined: no masked or read-only /proc and /sys paths.</summary>
    public bool UnconfinedSystemPaths { get; init; }

    /// <summary>writable-cgroups=true: /sys/fs/cgroup mounted read-write.</summary>
    public bool? WritableCgroups { get; init; }

    public static SecurityOptions Parse(IEnumerable<string> options)
    {
        var result = new SecurityOptions();
        foreach (var option in options)
        {
            if (option == "no-new-privileges")
            {
                result = result with { NoNewPrivileges = true };
                continue;
            }
            if (option == "disable")
                continue;
            var separator = option.IndexOfAny(['=', ':']);
            if (separator <= 0)
                throw new InvalidArgumentException($"invalid --security-opt 1: \"{option}\"");
            var key = option[..separator];
            var value = option[(separator + 1)..];
            result = key switch
            {
                "no-new-privileges" => result with { NoNewPrivileges = ParseBool(option, value) },
                "seccomp" when value == "unconfined" => result with { Seccomp = SeccompMode.Unconfined, SeccompProfileJson = null },
                "seccomp" when value == "builtin" => result with { Seccomp = SeccompMode.Default, SeccompProfileJson = null },
                "seccomp" => result with { Seccomp = SeccompMode.Custom, SeccompProfileJson = value },
                "apparmor" => result with { AppArmorProfile = value },
                "systempaths" when value == "unconfined" => result with { UnconfinedSystemPaths = true },
                "writable-cgroups" => result with { WritableCgroups = ParseBool(option, value) },
                // SELinux labels: this engine runs without SELinux, so labels have nothing to apply to.
                "label" => result,
                _ => throw new InvalidArgumentException($"invalid --security-opt 2: \"{option}\""),
            };
        }
        return result;
    }

    private static bool ParseBool(string option, string value) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new InvalidArgumentException($"invalid --security-opt: {option}: expected true or false"),
    };
}
