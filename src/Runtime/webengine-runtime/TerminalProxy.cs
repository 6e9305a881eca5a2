using System.Runtime.InteropServices;
using WebEngine.Linux;

namespace WebEngine.Runtime.Cli;

/// <summary>
/// A foreground `run` or `exec` with process.terminal and no --console-socket, as runc does it: the runtime is its
/// own console socket (a socket in a private temporary directory), receives the pty master from the init or exec
/// stage, and copies between its stdio and the master. Its stdin, when a terminal, is in raw mode until the end (the
/// container's pty does the line editing and turns ^C into SIGINT); the window size is copied at the start and on
/// every SIGWINCH.
/// </summary>
public sealed unsafe class TerminalProxy : IDisposable
{
    /// <summary>How long the output may still flow after the process exited (something else may hold the pty).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly string _directory;
    private int _listener;
    private int _master = -1;
    private byte[]? _savedTermios;
    private PosixSignalRegistration? _windowChange;
    private Thread? _output;

    private TerminalProxy(string directory, int listener)
    {
        _directory = directory;
        _listener = listener;
    }

    public string SocketPath => Path.Combine(_directory, "console.sock");

    /// <summary>Listens on a new socket; the stage connects to <see cref="SocketPath"/> as to a --console-socket.</summary>
    public static TerminalProxy Listen()
    {
        var directory = Directory.CreateTempSubdirectory("webengine-console-").FullName;
        var listener = -1;
        try
        {
            var socketPath = Path.Combine(directory, "console.sock");
            listener = UnixSocket.Listen(socketPath);
            // The init may be root of a user namespace only, a host uid that owns nothing here: it must still connect.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            if (Libc.Chmod(socketPath, 0b110_110_110) == -1)
                throw LinuxException.FromLastError($"chmod {socketPath}");
            return new TerminalProxy(directory, listener);
        }
        catch
        {
            if (listener >= 0)
                Libc.Close(listener);
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Once the stage sent the master (create or the exec stage returned): starts copying.</summary>
    public void Start()
    {
        var connection = UnixSocket.Accept(_listener, SocketPath);
        try
        {
            _master = UnixSocket.ReceiveFd(connection).Fd;
        }
        finally
        {
            Libc.Close(connection);
        }
        CloseListener();
        if (Libc.Isatty(0) == 1)
        {
            var termios = new byte[Libc.TermiosSize];
            fixed (byte* t = termios)
            {
                if (Libc.Tcgetattr(0, t) == -1)
                    throw LinuxException.FromLastError("tcgetattr stdin");
                _savedTermios = (byte[])termios.Clone();
                Libc.Cfmakeraw(t);
                if (Libc.Tcsetattr(0, Libc.TCSANOW, t) == -1)
                    throw LinuxException.FromLastError("tcsetattr stdin (raw mode)");
            }
        }
        CopyWindowSize();
        _windowChange = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            CopyWindowSize();
        });
        var master = _master;
        new Thread(() => Copy(0, master), maxStackSize: 64 * 1024) { IsBackground = true }.Start();
        _output = new Thread(() => Copy(master, 1), maxStackSize: 64 * 1024) { IsBackground = true };
        _output.Start();
    }

    /// <summary>After the process exited: waits for the rest of its output (until the pty's last slave closes).</summary>
    public void Finish() => _output?.Join(DrainTimeout);

    public void Dispose()
    {
        _windowChange?.Dispose();
        if (_savedTermios != null)
        {
            fixed (byte* t = _savedTermios)
                Libc.Tcsetattr(0, Libc.TCSANOW, t);
            _savedTermios = null;
        }
        CloseListener();
        // The master stays open while the output thread may still read it; the process's exit closes it.
        if (_output is not { IsAlive: true } && _master >= 0)
        {
            Libc.Close(_master);
            _master = -1;
        }
    }

    private void CloseListener()
    {
        if (_listener >= 0)
        {
            Libc.Close(_listener);
            _listener = -1;
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// The size of the first of our stdin, stdout and stderr that is a terminal, or null. `exec` gives it to the new
    /// pty before its process starts: that process runs at once, before <see cref="Start"/> could copy the size.
    /// </summary>
    public static Oci.ConsoleSize? CurrentSize()
    {
        var size = stackalloc ushort[4];
        return TryGetWindowSize(size) ? new Oci.ConsoleSize { Height = size[0], Width = size[1] } : null;
    }

    /// <summary>Gives the master the size of our terminal.</summary>
    private void CopyWindowSize()
    {
        var size = stackalloc ushort[4];
        if (TryGetWindowSize(size))
            Libc.Ioctl(_master, Libc.TIOCSWINSZ, (nint)size);
    }

    private static bool TryGetWindowSize(ushort* size)
    {
        for (var fd = 0; fd <= 2; fd++)
        {
            if (Libc.Ioctl(fd, Libc.TIOCGWINSZ, (nint)size) == 0)
                return true;
        }
        return false;
    }

    /// <summary>Copies until end of file or an error: EIO on the master once no slave is open, EPIPE on a closed stdout.</summary>
    private static void Copy(int from, int to)
    {
        var buffer = stackalloc byte[4096];
        while (true)
        {
            var n = Libc.Read(from, buffer, 4096);
            if (n == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                continue;
            if (n <= 0)
                return;
            for (nint done = 0; done < n;)
            {
                var written = Libc.Write(to, buffer + done, (nuint)(n - done));
                if (written == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                    continue;
                if (written <= 0)
                    return;
                done += written;
            }
        }
    }
}
