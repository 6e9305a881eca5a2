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
