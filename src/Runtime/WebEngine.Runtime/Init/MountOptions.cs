using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>A mount's options split the way mount(2) wants them: flags, propagation changes, and fs data.</summary>
public sealed record MountOptions(ulong Flags, ulong ClearedFlags, IReadOnlyList<ulong> Propagation, string? Data, bool Bind, bool Recursive)
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new()
    {
        ["ro"] = (false, Libc.MS_RDONLY), ["rw"] = (true, Libc.MS_RDONLY),
        ["nosuid"] = (false, Libc.MS_NOSUID), ["suid"] = (true, Libc.MS_NOSUID),
        ["nodev"] = (false, Libc.MS_NODEV), ["dev"] = (true, Libc.MS_NODEV),
        ["noexec"] = (false, Libc.MS_NOEXEC), ["exec"] = (true, Libc.MS_NOEXEC),
        ["sync"] = (false, Libc.MS_SYNCHRONOUS), ["async"] = (true, Libc.MS_SYNCHRONOUS),
        ["dirsync"] = (false, Libc.MS_DIRSYNC), ["remount"] = (false, Libc.MS_REMOUNT),
        ["mand"] = (false, Libc.MS_MANDLOCK), ["nomand"] = (true, Libc.MS_MANDLOCK),
        ["noatime"] = (false, Libc.MS_NOATIME), ["atime"] = (true, Libc.MS_NOATIME),
        ["nodiratime"] = (false, Libc.MS_NODIRATIME), ["diratime"] = (true, Libc.MS_NODIRATIME),
        ["relatime"] = (false, Libc.MS_RELATIME), ["norelatime"] = (true, Libc.MS_RELATIME),
        ["strictatime"] = (false, Libc.MS_STRICTATIME), ["nostrictatime"] = (true, Libc.MS_STRICTATIME),
        ["lazytime"] = (false, Libc.MS_LAZYTIME), ["nolazytime"] = (true, Libc.MS_LAZYTIME),
        ["nosymfollow"] = (false, Libc.MS_NOSYMFOLLOW), ["symfollow"] = (true, Libc.MS_NOSYMFOLLOW),
        ["silent"] = (false, Libc.MS_SILENT), ["loud"] = (true, Libc.MS_SILENT),
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new()
    {
        ["private"] = Libc.MS_PRIVATE, ["rprivate"] = Libc.MS_PRIVATE | Libc.MS_REC,
        ["shared"] = Libc.MS_SHARED, ["rshared"] = Libc.MS_SHARED | Libc.MS_REC,
        ["slave"] = Libc.MS_SLAVE, ["rslave"] = Libc.MS_SLAVE | Libc.MS_REC,
        ["unbindable"] = Libc.MS_UNBINDABLE, ["runbindable"] = Libc.MS_UNBINDABLE | Libc.MS_REC,
    };

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, cleared = 0;
        var propagation = new List<ulong>();
        var data = new List<string>();
        bool bind = false, recursive = false;
        foreach (var option in options ?? [])
        {
            if (option is "bind" or "rbind")
            {
                bind = true;
                recursive |= option == "rbind";
            }
            else if (FlagOptions.TryGetValue(option, out var flag))
            {
                if (flag.Clear)
                {
                    flags &= ~flag.Flag;
                    cleared |= flag.Flag;
                }
                else
                {
                    flags |= flag.Flag;
                    cleared &= ~flag.Flag;
                }
            }
            else if (PropagationOptions.TryGetValue(option, out var p))
            {
                propagation.Add(p);
            }
            else if (option.Length > 0)
            {
                data.Add(option);
            }
        }
        return new MountOptions(flags, cleared, propagation, data.Count == 0 ? null : string.Join(',', data), bind, recursive);
    }

    /// <summary>The propagation flag of a rootfsPropagation value, e.g. "rslave".</summary>
    public static ulong PropagationOf(string value) =>
        PropagationOptions.TryGetValue(value, out var flag)
            ? flag
            : throw new InvalidSpecException($"linux.rootfsPropagation: unknown value \"{value}\"");
}
