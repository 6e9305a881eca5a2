using System.Globalization;
using WebEngine.Engine.Containers;

namespace WebEngine.Engine.Bundles;

/// <summary>
/// Resolves Config.User ("name", "uid", "name:group", "uid:gid") and HostConfig.GroupAdd against the
/// rootfs's /etc/passwd and /etc/group, with runc's rules: numeric ids need no entry, names do;
/// supplementary groups come from /etc/group only when no group was given.
/// </summary>
public static class ContainerUser
{
    public sealed record Resolved(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home);

    private sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

    private sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);

    public static Resolved Resolve(string rootfs, string? user, IReadOnlyList<string> groupAdd)
    {
        var passwd = ReadPasswd(RootfsPath.Resolve(rootfs, "/etc/passwd"));
        var groups = ReadGroups(RootfsPath.Resolve(rootfs, "/etc/group"));

        var spec = string.IsNullOrEmpty(user) ? "" : user;
        var colon = spec.IndexOf(':');
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? "" : spec[(colon + 1)..];

        uint uid = 0, gid = 0;
        var home = "/";
        PasswdEntry? entry = null;
        if (userPart.Length == 0)
            entry = passwd.FirstOrDefault(p => p.Uid == 0);
        else if (TryParseId(userPart, out var numeric))
            entry = passwd.FirstOrDefault(p => p.Uid == numeric) ?? new PasswdEntry("", numeric, 0, "/");
        else
            entry = passwd.FirstOrDefault(p => p.Name == userPart)
                ?? throw new InvalidArgumentException($"unable to find user {userPart}: no matching entries in passwd file");
        if (entry is not null)
            (uid, gid, home) = (entry.Uid, entry.Gid, entry.Home);

        var supplementary = new List<uint>();
        if (groupPart.Length > 0)
            gid = LookupGroup(groups, groupPart);
        else if (entry is { Name.Length: > 0 })
            supplementary.AddRange(groups.Where(g => g.Members.Contains(entry.Name)).Select(g => g.Gid));

        // Docker lists the primary group first, then the user's groups, then GroupAdd.
        var additional = new List<uint> { gid };
        additional.AddRange(supplementary);
        additional.AddRange(groupAdd.Select(g => LookupGroup(groups, g)));
        return new Resolved(uid, gid, additional.Distinct().ToList(), home);
    }

    private static uint LookupGroup(IReadOnlyList<GroupEntry> groups, string group)
    {
        if (TryParseId(group, out var gid))
            return gid;
        return groups.FirstOrDefault(g => g.Name == group)?.Gid
            ?? throw new InvalidArgumentException($"unable to find group {group}: no matching entries in group file");
    }

    private static bool TryParseId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static List<PasswdEntry> ReadPasswd(string path)
    {
        // An image without /etc/passwd can still run as numeric ids, as with runc.
        if (!File.Exists(path))
            return [];
        var result = new List<PasswdEntry>();
        foreach (var fields in ReadColonFile(path))
        {
            if (fields.Length >= 6 && TryParseId(fields[2], out var uid) && TryParseId(fields[3], out var gid))
                result.Add(new PasswdEntry(fields[0], uid, gid, fields[5]));
        }
        return result;
    }

    private static List<GroupEntry> ReadGroups(string path)
    {
        if (!File.Exists(path))
            return [];
        var result = new List<GroupEntry>();
        foreach (var fields in ReadColonFile(path))
        {
            if (fields.Length >= 3 && TryParseId(fields[2], out var gid))
            {
                var members = fields.Length >= 4 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                result.Add(new GroupEntry(fields[0], gid, members));
            }
        }
        return result;
    }

    private static IEnumerable<string[]> ReadColonFile(string path) =>
        File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(':'));
}
