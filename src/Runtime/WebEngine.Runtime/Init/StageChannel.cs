using System.Buffers.Binary;
using System.Text;
using WebEngine.Linux;

namespace WebEngine.Runtime.Init;

/// <summary>
/// The two pipes between `create`/`exec` and the stage process it starts. The parent sends the request and
/// "go" bytes; the stage answers with tagged messages: run the hooks, ready, or an error with its message.
/// The stage's write end is close-on-exec, so end of file without "ready" after an execve means it succeeded.
/// </summary>
public sealed class StageChannel : IDisposable
{
    public const string EnvironmentVariable = "_WEBENGINE_STAGE";

    public const byte Go = (byte)'G';
    public const byte RunHooks = (byte)'H';
    public const byte Ready = (byte)'R';
    public const byte Error = (byte)'E';
    public const byte NotFound = (byte)'X';

    private int _readFd;
    private int _writeFd;

    private StageChannel(int readFd, int writeFd)
    {
        _readFd = readFd;
        _writeFd = writeFd;
    }

    /// <summary>The fds the child inherits, named in <see cref="EnvironmentVariable"/>; the parent closes them once started.</summary>
    public (int Read, int Write) ChildEnds { get; private set; } = (-1, -1);

    /// <summary>Parent side: creates both pipes; the child's ends are inheritable until <see cref="CloseChildEnds"/>.</summary>
    public static StageChannel CreateForParent()
    {
        var toChild = Sys.Pipe();
        var fromChild = Sys.Pipe();
        Sys.SetCloseOnExec(toChild.Read, false);
        Sys.SetCloseOnExec(fromChild.Write, false);
        return new StageChannel(fromChild.Read, toChild.Write) { ChildEnds = (toChild.Read, fromChild.Write) };
    }

    public string ChildEnvironmentValue => $"{ChildEnds.Read},{ChildEnds.Write}";

    public void CloseChildEnds()
    {
        if (ChildEnds.Read >= 0)
            Libc.Close(ChildEnds.Read);
        if (ChildEnds.Write >= 0)
            Libc.Close(ChildEnds.Write);
        ChildEnds = (-1, -1);
    }

    /// <summary>Stage side: adopts the inherited fds named by <paramref name="value"/> and makes them close-on-exec.</summary>
    public static StageChannel OpenInChild(string value)
    {
        var parts = value.Split(',');
        var channel = new StageChannel(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        Sys.SetCloseOnExec(channel._readFd, true);
        Sys.SetCloseOnExec(channel._writeFd, true);
        return channel;
    }

    public void SendRequest(InitRequest request)
    {
        var json = InitRequestJson.ToUtf8(request);
        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        Sys.WriteAll(_writeFd, frame, "init request");
    }

    public InitRequest ReceiveRequest()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(4));
        return InitRequestJson.Read(ReadExactly(length));
    }

    public void SendByte(byte value) => Sys.WriteAll(_writeFd, [value], "stage channel");

    /// <summary>As <see cref="SendByte"/>, but false when the stage has exited (its failure message, if any, is still to be read).</summary>
    public bool TrySendByte(byte value)
    {
        try
        {
            SendByte(value);
            return true;
        }
        catch (LinuxException e) when (e.ErrorNumber == Errno.EPIPE)
        {
            return false;
        }
    }

    /// <summary>Waits for the parent's "go"; false when the parent went away.</summary>
    public bool WaitForGo() => Sys.ReadByte(_readFd, "stage channel", out var b) && b == Go;

    public void SendMessage(byte tag, string message)
    {
        var payload = Encoding.UTF8.GetBytes(message);
        var frame = new byte[5 + payload.Length];
        frame[0] = tag;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        Sys.WriteAll(_writeFd, frame, "stage channel");
    }

    /// <summary>
    /// In the parent: keeps a copy of its end towards the stage open until this process exits, so a
    /// stage waiting in <see cref="WaitForParentExit"/> goes on only then, not when the channel is disposed.
    /// </summary>
    public void HoldOpenUntilExit()
    {
        const int F_DUPFD_CLOEXEC = 1030;
        if (Libc.Fcntl(_writeFd, F_DUPFD_CLOEXEC, 3) == -1)
            throw LinuxException.FromLastError("duplicate the stage channel");
    }

    /// <summary>In the stage: blocks until the parent has closed its end (it exited).</summary>
    public void WaitForParentExit()
    {
        while (Sys.ReadByte(_readFd, "stage channel", out _))
        {
        }
    }

    /// <summary>Reads the stage's next message; null at end of file.</summary>
    public (byte Tag, string Message)? ReceiveMessage() =>
        ReceiveFrame() is { } frame ? (frame.Tag, Encoding.UTF8.GetString(frame.Payload)) : null;

    /// <summary>Reads the stage's next message with its payload as bytes; null at end of file.</summary>
    public (byte Tag, byte[] Payload)? ReceiveFrame()
    {
        if (!Sys.ReadByte(_readFd, "stage channel", out var tag))
            return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(4));
        return (tag, ReadExactly(length));
    }

    /// <summary>Closes the stage's side towards the parent (after "ready"), so nothing of the runtime reaches the container.</summary>
    public void Dispose()
    {
        if (_readFd >= 0)
            Libc.Close(_readFd);
        if (_writeFd >= 0)
            Libc.Close(_writeFd);
        _readFd = _writeFd = -1;
        CloseChildEnds();
    }

    private byte[] ReadExactly(int count)
    {
        var buffer = new byte[count];
        if (!Sys.ReadExactly(_readFd, buffer, "stage channel"))
            throw new EndOfStreamException("stage channel closed mid-message");
        return buffer;
    }
}
