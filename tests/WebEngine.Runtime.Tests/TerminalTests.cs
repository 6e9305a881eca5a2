using System.Net.Sockets;
using System.Text;
using WebEngine.Linux;
using WebEngine.TestSupport;

namespace WebEngine.Runtime.Tests;

/// <summary>runc's console-socket protocol: the test is the socket server and receives the pty master.</summary>
public sealed class TerminalTests : ContainerTestBase
{
    [Fact]
    public async Task Init_sends_the_pty_master_and_the_process_runs_on_the_slave()
    {
        using var dir = new TempDirectory("webengine-console");
        var socketPath = dir.Combine("console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        Spec.Process!.Terminal = true;
        Spec.Process.ConsoleSize = new Oci.ConsoleSize { Height = 30, Width = 100 };
        Command("sh", "-c", "tty; stty size; echo done");

        var accept = listener.AcceptAsync();
        Cli.Ok("create", "--bundle", Bundle.Path, "--console-socket", socketPath, Id);
        using var connection = await accept;
        var (master, name) = UnixSocket.ReceiveFd((int)connection.Handle);
        Assert.StartsWith("/dev/pts/", name);
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(master, ownsHandle: true), FileAccess.Read);

        Cli.Ok("start", Id);
        var output = ReadUntilEof(stream);
        Assert.Contains("/dev/pts/0", output);
        Assert.Contains("30 100", output);
        Assert.Contains("done", output);
    }

    [Fact]
    public async Task Exec_with_tty_sends_a_new_pty_master()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        using var dir = new TempDirectory("webengine-console");
        var socketPath = dir.Combine("exec.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var accept = listener.AcceptAsync();
        var exec = Task.Run(() => Cli.Run("exec", "-t", "--console-socket", socketPath, Id, "sh", "-c", "tty; echo exec-done"));
        using var connection = await accept;
        var (master, name) = UnixSocket.ReceiveFd((int)connection.Handle);
        Assert.StartsWith("/dev/pts/", name);
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(master, ownsHandle: true), FileAccess.Read);
        var output = ReadUntilEof(stream);
        Assert.Equal(0, (await exec).ExitCode);
        Assert.Contains(name, output);
        Assert.Contains("exec-done", output);
    }

    [Fact]
    public void Terminal_without_console_socket_is_refused()
    {
        Spec.Process!.Terminal = true;
        Bundle.WriteSpec();
        var result = Cli.Run("create", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--console-socket is required", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Foreground_run_without_console_socket_proxies_the_terminal()
    {
        Spec.Process!.Terminal = true;
        Command("sh", "-c", "tty; stty size; read line; echo got:$line; while read x; do stty size; [ \"$x\" = q ] && exit 7; done");
        using var terminal = new TestTerminal(rows: 33, columns: 101);
        Assert.True(terminal.IsCooked());
        var run = terminal.Start(Cli, "run", "--bundle", Bundle.Path, Id);
        // The container has a pty of its own, with the size of the runtime's terminal.
        terminal.WaitFor("33 101");
        Assert.Contains("/dev/pts/0", terminal.Output);
        // Raw while the container runs: its own pty echoes and turns the carriage return into a newline.
        Assert.False(terminal.IsCooked());
        terminal.Write("hello\r");
        terminal.WaitFor("got:hello");

        terminal.Resize(40, 120);
        Assert.Equal(0, Libc.Kill(run.Id, 28 /* SIGWINCH */));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!terminal.Output.Contains("40 120", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the container never saw the new size: {terminal.Output}");
            terminal.Write("size\r");
            Thread.Sleep(50);
        }
        terminal.Write("q\r");
        Assert.True(run.WaitForExit(20_000), "run did not exit");
        Assert.Equal(7, run.ExitCode);
        Assert.True(terminal.IsCooked(), "the terminal was not restored");
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    [Fact]
    public void Foreground_exec_with_tty_and_no_console_socket_proxies_the_terminal()
    {
        Command("sleep", "1000");
        Create();
        Cli.Ok("start", Id);
        using var terminal = new TestTerminal(rows: 25, columns: 90);
        var exec = terminal.Start(Cli, "exec", "-t", Id, "sh", "-c", "tty; stty size; read line; echo got:$line; exit 5");
        terminal.WaitFor("25 90");
        Assert.Contains("/dev/pts/", terminal.Output);
        terminal.Write("there\r");
        terminal.WaitFor("got:there");
        Assert.True(exec.WaitForExit(20_000), "exec did not exit");
        Assert.Equal(5, exec.ExitCode);
        Assert.True(terminal.IsCooked(), "the terminal was not restored");
    }

    [Fact]
    public void Detached_run_with_terminal_still_needs_a_console_socket()
    {
        Spec.Process!.Terminal = true;
        Bundle.WriteSpec();
        var result = Cli.Run("run", "-d", "--bundle", Bundle.Path, Id);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--console-socket is required", result.Stderr);
        Cli.AssertNothingLeft(Id, Bundle.Path);
    }

    /// <summary>Reads the master until the slave side closes, which the kernel reports as EIO.</summary>
    private static string ReadUntilEof(Stream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = stream.Read(buffer);
            }
            catch (IOException)
            {
                break;
            }
            if (n == 0)
                break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return text.ToString();
    }
}
