using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using WebEngine.Linux;
using WebEngine.Oci;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The parent's side of a user-namespace init. The C constructor in webengine-runtime
/// (native/userns_stage.c) unshares the user namespace before .NET starts in the stage process, asks
/// for its uid/gid maps, unshares the other namespaces inside it and forks the real init; this class
/// answers it and learns the init's pid.
/// </summary>
public static class UserNamespaceStage
{
    /// <summary>Set for an init stage: the namespace flags the C constructor unshares inside the user namespace.</summary>
    public const string CreateVariable = "_WEBENGINE_USERNS";

    /// <summary>Set with <see cref="CreateVariable"/> when the config names a user namespace to join: its path.</summary>
    public const string PathVariable = "_WEBENGINE_USERNS_PATH";

    /// <summary>Set for an exec stage: the user namespace the C constructor joins.</summary>
    public const string JoinVariable = "_WEBENGINE_USERNS_JOIN";

    public const byte UserNamespaceReady = (byte)'U';
    public const byte InitPid = (byte)'P';

    /// <summary>
    /// Once the stage is in its user namespace: writes the maps of a new one (or reads those of a joined one, at
    /// <paramref name="joinedPath"/>), gives the exec fifo to the namespace's root, and returns the pid of the init
    /// the stage forked.
    /// </summary>
    public static int CompleteInit(StageChannel channel, int stagePid, RuntimeSpec spec, string? joinedPath, string execFifo)
    {
        Expect(channel, UserNamespaceReady);
        List<IdMapping> uidMap, gidMap;
        if (joinedPath == null)
        {
            uidMap = spec.Linux!.UidMappings!;
            gidMap = spec.Linux.GidMappings!;
            WriteMap($"/proc/{stagePid}/uid_map", uidMap);
            WriteMap($"/proc/{stagePid}/gid_map", gidMap);
        }
        else
        {
            uidMap = ReadMap($"/proc/{stagePid}/uid_map");
            gidMap = ReadMap($"/proc/{stagePid}/gid_map");
            if (HostRoot(uidMap) is null || HostRoot(gidMap) is null)
                throw new InvalidSpecException($"linux.namespaces: the user namespace {joinedPath} maps no uid or gid 0 (its uid_map: "
                    + $"{Describe(uidMap)}; gid_map: {Describe(gidMap)})");
        }
        Sys.Chown(execFifo, HostRoot(uidMap)!.Value, HostRoot(gidMap)!.Value);
        channel.SendByte(StageChannel.Go);
        return BinaryPrimitives.ReadInt32LittleEndian(Expect(channel, InitPid));
    }

    /// <summary>The host id that is 0 in the container (the owner of what the init must open); null when 0 is not mapped.</summary>
    public static uint? HostRoot(List<IdMapping>? mappings) =>
        mappings?.FirstOrDefault(m => m.ContainerId == 0 && m.Size > 0)?.HostId;

    /// <summary>Parses a /proc/&lt;pid&gt;/uid_map or gid_map: lines of "inside outside count".</summary>
    public static List<IdMapping> ParseMap(string text)
    {
        var mappings = new List<IdMapping>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
                throw new FormatException($"unexpected id map line \"{line}\"");
            mappings.Add(new IdMapping
            {
                ContainerId = uint.Parse(fields[0], CultureInfo.InvariantCulture),
                HostId = uint.Parse(fields[1], CultureInfo.InvariantCulture),
                Size = uint.Parse(fields[2], CultureInfo.InvariantCulture),
            });
        }
        return mappings;
    }

    private static List<IdMapping> ReadMap(string path)
    {
        try
        {
            return ParseMap(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or FormatException or OverflowException)
        {
            throw new ContainerStageException($"read {path}: {e.Message}");
        }
    }

    private static string Describe(List<IdMapping> mappings) =>
        mappings.Count == 0 ? "empty" : string.Join(",", mappings.Select(m => $"{m.ContainerId} {m.HostId} {m.Size}"));

    private static byte[] Expect(StageChannel channel, byte tag)
    {
        var frame = channel.ReceiveFrame()
            ?? throw new ContainerStageException("the user namespace stage exited before the container was set up");
        if (frame.Tag == StageChannel.Error)
            throw new ContainerStageException(Encoding.UTF8.GetString(frame.Payload));
        if (frame.Tag != tag)
            throw new ContainerStageException($"the user namespace stage sent '{(char)frame.Tag}' where '{(char)tag}' was due");
        return frame.Payload;
    }

    private static void WriteMap(string path, List<IdMapping> mappings)
    {
        var text = new StringBuilder();
        foreach (var m in mappings)
            text.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        try
        {
            File.WriteAllText(path, text.ToString());
        }
        catch (IOException e)
        {
            throw new InvalidSpecException($"write {path} ({text.ToString().Trim().Replace('\n', ',')}): {e.Message}");
        }
    }
}
