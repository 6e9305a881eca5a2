namespace WebEngine.Engine.Bundles;

/// <summary>Merges tmpfs mount options so that a later option overrides an earlier one ("exec" after "noexec", a second "size=").</summary>
public static class TmpfsOptions
{
    /// <summary>Docker's options for every tmpfs before the user's: no exec, suid or device files.</summary>
    public static readonly IReadOnlyList<string> Defaults = ["noexec", "nosuid", "nodev", "rprivate"];

    private static readonly Dictionary<string, string> OppositeFlags = BuildOpposites(
        ("ro", "rw"), ("dev", "nodev"), ("suid", "nosuid"), ("exec", "noexec"), ("sync", "async"),
        ("atime", "noatime"), ("diratime", "nodiratime"), ("relatime", "norelatime"),
        ("strictatime", "nostrictatime"), ("mand", "nomand"));

    private static readonly HashSet<string> Propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];

    public static List<string> Merge(IEnumerable<string> options)
    {
        var byKey = new Dictionary<string, int>();
        var result = new List<string>();
        foreach (var option in options)
        {
            var key = KeyOf(option);
            if (byKey.TryGetValue(key, out var index))
            {
                result[index] = option;
            }
            else
            {
                byKey[key] = result.Count;
                result.Add(option);
            }
        }
        return result;
    }

    private static string KeyOf(string option)
    {
        var equals = option.IndexOf('=');
        if (equals >= 0)
            return option[..equals];
        if (Propagations.Contains(option))
            return "propagation";
        return OppositeFlags.GetValueOrDefault(option, option);
    }

    private static Dictionary<string, string> BuildOpposites(params (string On, string Off)[] pairs)
    {
        var map = new Dictionary<string, string>();
        foreach (var (on, off) in pairs)
        {
            map[on] = on;
            map[off] = on;
        }
        return map;
    }
}
