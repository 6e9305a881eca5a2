using System.Diagnostics;
using System.Text;
using WebEngine.Linux;

namespace WebEngine.Runtime.Tests;

/// <summary>
/// A pty of the test's own, standing for the user's terminal: the runtime gets its slave as stdin, stdout and stderr,
/// the test types into the master and reads what the runtime writes.
/// </summary>
public sealed unsafe class TestTerminal : IDisposable
{
    private const int ICANON = 0x2, ECHO = 0x8, LflagOffset = 12;

    private readonly int _master;
    private readonly int _slave;
    private readonly string _slavePath;
    private readonly StringBuilder _output = new();
    private readonly Thread _reader;
    private Process? _process;

    public TestTerminal(ushort rows, ushort columns)
    {
        _master = Libc.Open("/dev/ptmx", Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        Assert.True(_master >= 0, "open /dev/ptmx");
        var unlock = 0;
        uint number;
        Assert.Equal(0, Libc.Ioctl(_master, Libc.TIOCSPTLCK, (nint)(&unlock)));
        Assert.Equal(0, Libc.Ioctl(_master, Libc.TIOCGPTN, (nint)(&number)));
        _slavePath = $"/dev/pts/{number}";
        // Held open until the end: reading a master whose slave was never opened, or is closed, fails with EIO.
        _slave = Libc.Open(_slavePath, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        Assert.True(_slave >= 0, $"open {_slavePath}");
        Resize(rows, columns);
        _reader = new Thread(Read) { IsBackground = true };
        _reader.Start();
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts the runtime (tagged as the CLI's own runs are) with the slave as its stdio.</summary>
    public Process Start(RuntimeCli cli, params string[] args)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", "exec \"$0\" \"$@\" <\"$PTS\" >\"$PTS\" 2>&1", cli.Binary, "--root", cli.Root })
            startInfo.ArgumentList.Add(arg);
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        startInfo.Environment["WEBENGINE_TEST_TAG"] = cli.Tag;
        startInfo.Environment["PTS"] = _slavePath;
        _process = Process.Start(startInfo)!;
        return _process;
    }

    public void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
            Assert.Equal(bytes.Length, (int)Libc.Write(_master, p, (nuint)bytes.Length));
    }

    /// <summary>Waits until the output holds <paramref name="text"/>.</summary>
    public void WaitFor(string text, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the terminal never showed \"{text}\"; it shows: {Output}");
            Thread.Sleep(10);
        }
    }

    public void Resize(ushort rows, ushort columns)
    {
        var size = stackalloc ushort[4];
        size[0] = rows;
        size[1] = columns;
        Assert.Equal(0, Libc.Ioctl(_master, Libc.TIOCSWINSZ, (nint)size));
    }

    /// <summary>Whether the slave is in canonical mode with echo (cooked, as a shell leaves it) rather than raw.</summary>
    public bool IsCooked()
    {
        var termios = stackalloc byte[Libc.TermiosSize];
        // On a pty master, tcgetattr reads the slave's settings.
        Assert.Equal(0, Libc.Tcgetattr(_master, termios));
        var lflag = *(uint*)(termios + LflagOffset);
        return (lflag & (ICANON | ECHO)) == (ICANON | ECHO);
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process?.Dispose();
        // The reader ends with EIO once no slave is open; the master goes with it.
        Libc.Close(_slave);
        _reader.Join(TimeSpan.FromSeconds(5));
        Libc.Close(_master);
    }

    private void Read()
    {
        var buffer = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = Libc.Read(_master, p, (nuint)buffer.Length);
            if (n <= 0)
                return;
            lock (_output)
                _output.Append(Encoding.UTF8.GetString(buffer, 0, (int)n));
        }
    }
}
