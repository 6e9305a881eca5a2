using System.Text.Json;
using WebEngine.Engine.Containers;
using WebEngine.Oci;

namespace WebEngine.Engine.Security;

/// <summary>
/// Turns a Docker-format seccomp profile into the OCI <see cref="LinuxSeccomp"/> a runtime loads:
/// picks the architectures for this host and keeps the rules whose conditions hold for the
/// container's capabilities, the architecture and the kernel — as Docker does when it builds a spec.
/// </summary>
public static class SeccompProfileCompiler
{
    /// <summary>Parses a profile sent as JSON (security option "seccomp=&lt;JSON&gt;").</summary>
    public static SeccompProfile Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SeccompJsonContext.Default.SeccompProfile)
                ?? throw new InvalidArgumentException("decoding seccomp profile failed: the profile is null");
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentException($"decoding seccomp profile failed: {e.Message}", e);
        }
    }

    /// <param name="profile">The Docker-format profile.</param>
    /// <param name="capabilities">The container's bounding set: "caps" conditions are checked against it.</param>
    /// <param name="target">Architecture and kernel the container runs on.</param>
    public static LinuxSeccomp Compile(SeccompProfile profile, IReadOnlyCollection<string> capabilities, SeccompTarget target)
    {
        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
            throw new InvalidArgumentException("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");

        var result = new LinuxSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Architectures = ArchitecturesFor(profile, target),
            Flags = profile.Flags,
            ListenerPath = string.IsNullOrEmpty(profile.ListenerPath) ? null : profile.ListenerPath,
            ListenerMetadata = string.IsNullOrEmpty(profile.ListenerMetadata) ? null : profile.ListenerMetadata,
            Syscalls = [],
        };
        foreach (var rule in profile.Syscalls ?? [])
        {
            if (rule.Name is { Length: > 0 } && rule.Names is { Count: > 0 })
                throw new InvalidArgumentException("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
            if (!Applies(rule, capabilities, target))
                continue;
            result.Syscalls.Add(new LinuxSyscall
            {
                Names = rule.Name is { Length: > 0 } ? [rule.Name] : [.. rule.Names ?? []],
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args?.Select(a => new LinuxSeccompArg { Index = a.Index, Value = a.Value, ValueTwo = a.ValueTwo, Op = a.Op }).ToList(),
            });
        }
        return result;
    }

    private static List<string>? ArchitecturesFor(SeccompProfile profile, SeccompTarget target)
    {
        if (profile.ArchMap is not { Count: > 0 })
            return profile.Architectures;
        var native = profile.ArchMap.FirstOrDefault(m => m.Architecture == target.NativeScmpArch);
        return native is null ? null : [native.Architecture, .. native.SubArchitectures ?? []];
    }

    private static bool Applies(SeccompRule rule, IReadOnlyCollection<string> capabilities, SeccompTarget target)
    {
        if (rule.Excludes is { } excludes)
        {
            if (excludes.Arches?.Contains(target.Arch) == true)
                return false;
            if (excludes.Caps?.Any(capabilities.Contains) == true)
                return false;
            if (excludes.MinKernel is { Length: > 0 } min && target.Kernel >= ParseMinKernel(min))
                return false;
        }
        if (rule.Includes is { } includes)
        {
            if (includes.Arches is { Count: > 0 } arches && !arches.Contains(target.Arch))
                return false;
            if (includes.Caps is { Count: > 0 } caps && !caps.All(capabilities.Contains))
                return false;
            if (includes.MinKernel is { Length: > 0 } min && target.Kernel < ParseMinKernel(min))
                return false;
        }
        return true;
    }

    private static Version ParseMinKernel(string value)
    {
        var parts = value.Split('.');
        if (parts.Length < 2 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
            throw new InvalidArgumentException($"seccomp profile: invalid kernel version '{value}': expected major.minor");
        return SeccompTarget.ParseKernel(value);
    }
}
