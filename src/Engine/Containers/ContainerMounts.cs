using System.Globalization;
using System.Text.RegularExpressions;

namespace WebEngine.Engine.Containers;

/// <summary>
/// Parses and checks HostConfig.Binds, Mounts and Tmpfs into one list of <see cref="ContainerMount"/>,
/// with Docker's rules and messages: absolute targets, existing bind sources (Mounts), valid volume names,
/// one mount per target.
/// </summary>
public static partial class ContainerMounts
{
    private static readonly HashSet<string> Propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];

    // Docker accepts these for compatibility with Docker Desktop and ignores them on Linux.
    private static readonly HashSet<string> Consistency = ["consistent", "cached", "delegated"];

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex VolumeName();

    public static IReadOnlyList<ContainerMount> Resolve(HostConfig host)
    {
        var result = new List<ContainerMount>();
        result.AddRange(host.Binds.Select(ParseBind));
        result.AddRange(host.Mounts.Select(FromMountSpec));
        result.AddRange(host.Tmpfs.Select(t => FromTmpfsEntry(t.Key, t.Value)));
        var duplicate = result.GroupBy(m => m.Target).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidArgumentException($"Duplicate mount point: {duplicate.Key}");
        return result;
    }

    /// <summary>A container's own mounts, then the ones it inherits (VolumesFrom) at destinations its own leave free, as in Docker.</summary>
    public static List<ContainerMount> WithInherited(IReadOnlyList<ContainerMount> own, IReadOnlyList<ContainerMount> inherited)
    {
        var covered = own.Select(m => m.Target.TrimEnd('/')).ToHashSet();
        return [.. own, .. inherited.Where(m => covered.Add(m.Target.TrimEnd('/')))];
    }

    /// <summary>"source:target[:options]" or just "target" (an anonymous volume).</summary>
    public static ContainerMount ParseBind(string bind)
    {
        var parts = bind.Split(':');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0))
            throw new InvalidArgumentException($"invalid volume specification: '{bind}'");
        if (parts.Length == 1)
        {
            var anonymous = new ContainerMount { Type = MountType.Volume, Target = parts[0] };
            CheckTarget(anonymous.Target, "volume");
            return anonymous;
        }

        var (source, target) = (parts[0], parts[1]);
        var isBind = source.StartsWith('/');
        var mount = new ContainerMount { Type = isBind ? MountType.Bind : MountType.Volume, Source = source, Target = target };
        if (parts.Length == 3)
        {
            foreach (var option in parts[2].Split(','))
            {
                mount = option switch
                {
                    "ro" => mount with { ReadOnly = true },
                    "rw" => mount with { ReadOnly = false },
                    "nocopy" when !isBind => mount with { CopyImageData = false },
                    // SELinux relabeling: without SELinux there is no label to change.
                    "z" or "Z" => mount,
                    _ when isBind && Propagations.Contains(option) => mount with { Propagation = option },
                    _ when Consistency.Contains(option) => mount,
                    _ => throw new InvalidArgumentException($"invalid mode: {option}"),
                };
            }
        }
        // Unlike HostConfig.Mounts, a missing bind source in Binds is created (Docker's long-standing behavior).
        if (isBind)
            mount = mount with { CreateSourceIfMissing = true };
        else if (!VolumeName().IsMatch(source))
            throw new InvalidArgumentException(
                $"create {source}: \"{source}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        CheckTarget(target, isBind ? "bind" : "volume");
        return mount;
    }

    private static ContainerMount FromMountSpec(MountSpec spec)
    {
        var kind = spec.Type.ToString().ToLowerInvariant();
        CheckTarget(spec.Target, kind);
        switch (spec.Type)
        {
            case MountType.Bind:
                if (!spec.Source.StartsWith('/'))
                    throw new InvalidArgumentException($"invalid mount config for type \"bind\": invalid mount path: '{spec.Source}' mount path must be absolute");
                CheckBindSource(spec.Source);
                var propagation = string.IsNullOrEmpty(spec.BindPropagation) ? "rprivate" : spec.BindPropagation;
                if (!Propagations.Contains(propagation))
                    throw new InvalidArgumentException($"invalid mount config for type \"bind\": invalid propagation mode: {propagation}");
                return new ContainerMount
                {
                    Type = MountType.Bind, Source = spec.Source, Target = spec.Target, ReadOnly = spec.ReadOnly,
                    Propagation = propagation, Recursive = !spec.BindNonRecursive,
                };
            case MountType.Volume:
                if (spec.Source.Length > 0 && !VolumeName().IsMatch(spec.Source))
                    throw new InvalidArgumentException($"invalid mount config for type \"volume\": invalid volume name: {spec.Source}");
                return new ContainerMount
                {
                    Type = MountType.Volume, Source = spec.Source, Target = spec.Target, ReadOnly = spec.ReadOnly,
                    CopyImageData = !spec.VolumeNoCopy,
                };
            case MountType.Tmpfs:
                if (spec.Source.Length > 0)
                    throw new InvalidArgumentException("invalid mount config for type \"tmpfs\": field Source must not be specified");
                if (spec.TmpfsSizeBytes < 0)
                    throw new InvalidArgumentException($"invalid mount config for type \"tmpfs\": invalid tmpfs size {spec.TmpfsSizeBytes}");
                List<string> options = [];
                if (spec.TmpfsSizeBytes > 0)
                    options.Add("size=" + spec.TmpfsSizeBytes.ToString(CultureInfo.InvariantCulture));
                if (spec.TmpfsMode is { } mode)
                    options.Add("mode=" + Convert.ToString((int)mode, 8));
                if (spec.ReadOnly)
                    options.Add("ro");
                return new ContainerMount { Type = MountType.Tmpfs, Target = spec.Target, TmpfsOptions = options };
            default:
                throw new InvalidArgumentException($"mount type unknown: {spec.Type}");
        }
    }

    private static ContainerMount FromTmpfsEntry(string target, string options)
    {
        CheckTarget(target, "tmpfs");
        var list = options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new ContainerMount { Type = MountType.Tmpfs, Target = target, TmpfsOptions = list };
    }

    private static void CheckTarget(string target, string kind)
    {
        if (!target.StartsWith('/'))
            throw new InvalidArgumentException($"invalid mount config for type \"{kind}\": invalid mount path: '{target}' mount path must be absolute");
        if (Path.TrimEndingDirectorySeparator(target) is "/" or "")
            throw new InvalidArgumentException($"invalid mount config for type \"{kind}\": invalid specification: destination can't be '/'");
    }

    private static void CheckBindSource(string source)
    {
        if (!Path.Exists(source))
            throw new InvalidArgumentException($"invalid mount config for type \"bind\": bind source path does not exist: {source}");
    }
}
