using WebEngine.Api.Tests.Containers;

using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Streams;

/// <summary>docker run, attach and exec end to end: the real CLI against the real daemon.</summary>
public sealed class DockerCliStreamsTests(BusyboxDaemonFixture fixture) : IClassFixture<BusyboxDaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [Fact]
    public async Task RunRmKeepsStdoutAndStderrApartAndPassesTheExitCode()
    {
        var name = BusyboxDaemonFixture.NewName("rm");
        var (code, stdout, stderr) = await DockerCommand.RunAsync(Daemon, null, "run", "--rm", "--name", name, "busybox", "sh", "-c", "echo out; echo err >&2; exit 42");
        Assert.Equal((42, "out\n", "err\n"), (code, stdout, stderr));
        Assert.Equal((0, "", ""), await DockerCommand.RunAsync(Daemon, null, "run", "--rm", "busybox", "true"));
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq", "--filter", $"name={name}"));
    }

    [Fact]
    public async Task RunInteractiveTakesPipedStdinUntilItsEnd()
    {
        var input = string.Concat(Enumerable.Range(1, 2000).Select(i => $"line {i}\n"));
        var (code, stdout, stderr) = await DockerCommand.RunAsync(Daemon, input, "run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo end");
        Assert.True(code == 0, stderr);
        Assert.Equal(input + "end\n", stdout);
    }

    [Theory]
    [InlineData(125, "unknown flag", "run", "--rm", "--no-such-flag", "busybox", "true")]
    [InlineData(127, "nosuchcommand", "run", "--rm", "busybox", "nosuchcommand")]
    [InlineData(126, "permission denied", "run", "--rm", "busybox", "/etc/passwd")]
    [InlineData(126, "is a directory", "run", "--rm", "busybox", "/etc")]
    public async Task RunFailuresGiveDockersExitCodes(int expected, string message, params string[] args)
    {
        var name = BusyboxDaemonFixture.NewName("fail");
        string[] named = [args[0], "--name", name, .. args[1..]];
        var (code, _, stderr) = await DockerCommand.RunAsync(Daemon, null, named);
        Assert.True(code == expected, $"docker {string.Join(' ', named)} exited {code}, not {expected}: {stderr}");
        Assert.Contains(message, stderr);
        Assert.Equal("", await fixture.DockerOkAsync("ps", "-aq", "--filter", $"name={name}"));
    }

    [Fact]
    public async Task RunOfAnImageThatIsNowhereIs125()
    {
        var (code, _, stderr) = await DockerCommand.RunAsync(Daemon, null, "run", "--rm", "--pull", "never", "nosuchimage:1");
        Assert.True(code == 125, $"exited {code}: {stderr}");
        Assert.Contains("nosuchimage", stderr);
    }

    [Fact]
    public async Task RunItGivesTheContainerATerminal()
    {
        var (code, stdout, stderr) = await DockerCommand.RunInTerminalAsync(Daemon, "hello\n",
            "run", "-it", "--rm", "busybox", "sh", "-c", "tty; read x; echo got:$x; exit 3");
        Assert.True(code == 3, $"exited {code}: {stdout}{stderr}");
        Assert.Contains("/dev/pts/0", stdout);
        Assert.Contains("got:hello", stdout);
    }

    [Fact]
    public async Task RunDetachedThenAttachSendsStdinAndEndsWithTheExitCode()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "-i", "busybox", "sh", "-c", "read x; echo attached:$x; exit 3");
        // Stdin stays open: without StdinOnce, the end of the client's stdin would end the attach (as in Moby).
        var (code, stdout, stderr) = await DockerCommand.RunAsync(Daemon, "yo\n", keepStdinOpen: true, "attach", id);
        Assert.True(code == 3, $"exited {code}: {stderr}");
        Assert.Equal("attached:yo\n", stdout);

        // Attach sees only what comes after it: the output waits long enough for a docker CLI started on a busy machine.
        var quiet = await fixture.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "sleep 6; echo late; echo oops >&2; exit 4");
        Assert.Equal((4, "late\n", "oops\n"), await DockerCommand.RunAsync(Daemon, null, "attach", quiet));
    }

    [Fact]
    public async Task ExecPipesStdinPassesTheExitCodeAndTakesEnvUserAndWorkdir()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "1000");
        Assert.Equal((5, "in\n", ""), await DockerCommand.RunAsync(Daemon, "in\n", "exec", "-i", id, "sh", "-c", "cat; exit 5"));
        Assert.Equal("1 1000 /tmp", await fixture.DockerOkAsync("exec", "-e", "A=1", "-u", "1000", "-w", "/tmp", id, "sh", "-c", "echo $A $(id -u) $(pwd)"));
        Assert.Equal("/dev/pts/0", await fixture.DockerOkAsync("exec", "-t", id, "tty"));
        var (missing, _, missingError) = await DockerCommand.RunAsync(Daemon, null, "exec", id, "nosuchcommand");
        Assert.True(missing == 127, $"exited {missing}: {missingError}");
    }

    [Fact]
    public async Task ExecItRunsInATerminal()
    {
        var id = await fixture.DockerOkAsync("run", "-d", "busybox", "sleep", "1000");
        var (code, stdout, stderr) = await DockerCommand.RunInTerminalAsync(Daemon, "there\n", "exec", "-it", id, "sh", "-c", "read x; echo got:$x; exit 4");
        Assert.True(code == 4, $"exited {code}: {stdout}{stderr}");
        Assert.Contains("got:there", stdout);
    }

    [Fact]
    public async Task ExecIntoAStoppedContainerIsRefused()
    {
        var id = await fixture.DockerOkAsync("create", "busybox", "sleep", "1000");
        var (code, _, stderr) = await DockerCommand.RunAsync(Daemon, null, "exec", id, "true");
        Assert.Equal(1, code);
        Assert.Contains($"container {id} is not running", stderr);
    }
}
