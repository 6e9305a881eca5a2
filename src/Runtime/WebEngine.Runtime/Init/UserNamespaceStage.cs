using System.Buffers.Binary;
using System.Globalization;
using System.Text;
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

    /// <summary>Set for an exec stage: the user namespace the C constructor joins.</summary>
    public const string JoinVariable = "_WEBENGINE_USERNS_JOIN";

    public const byte UserNamespaceReady = (byte)'U';
    public const byte InitPid = (byte)'P';

    /// <summary>Writes the maps when the stage asks, and returns the pid of the init it forked.</summary>
    public static int CompleteInit(StageChannel channel, int stagePid, RuntimeSpec spec)
    {
        Expect(channel, UserNamespaceReady);
        WriteMap($"/proc/{stagePid}/uid_map", spec.Linux!.UidMappings!);
        WriteMap($"/proc/{stagePid}/gid_map", spec.Linux.GidMappings!);
        channel.SendByte(StageChannel.Go);
        return BinaryPrimitives.ReadInt32LittleEndian(Expect(channel, InitPid));
    }

    /// <summary>The host uid that is root in the container (the owner of what the init must open).</summary>
    public static uint HostRoot(List<IdMapping>? mappings) =>
        mappings?.FirstOrDefault(m => m.ContainerId == 0 && m.Size > 0)?.HostId ?? 0;

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
