using System.Text;
using WebEngine.Engine.Shims;
using WebEngine.Oci;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim.Tests;

/// <summary>Processes started in a running container through the shim (docker exec), and the container-wide operations.</summary>
public sealed class ShimExecTests
{
    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Exec_runs_a_process_with_its_own_output_and_exit_code(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();

        var (status, stream) = await client.ExecAsync("e1", ExecProcess(["sh", "-c", "echo from-exec; echo oops >&2; exit 3"]), new ShimAttachOptions());
        Assert.Equal("e1", status.ExecId);
        await using (stream)
        {
            var output = await AttachOutput.CollectAsync(stream!);
            Assert.Equal("from-exec\n", output.Stdout);
            Assert.Equal("oops\n", output.Stderr);
            Assert.Equal(3, output.Exit?.ExitCode);
        }
        var ended = await ShimHarness.WaitWithTimeoutAsync(client, "e1");
        Assert.Equal(3, ended.ExitCode);
        // The process exits at once, often before the runtime's exec has returned: its start is still before its end.
        Assert.True(ended.StartedAt <= ended.FinishedAt, $"exec started {ended.StartedAt:o}, finished {ended.FinishedAt:o}");
        // The exec's output is the exec's: it does not go to the container's log.
        Assert.Empty(await harness.ReadLogAsync());
        Assert.Equal(ProcessStatuses.Running, (await client.GetStateAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Exec_with_stdin_and_a_terminal(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();

        var withStdin = ExecProcess(["sh", "-c", "read x; echo got:$x"]);
        var (_, stream) = await client.ExecAsync("in", withStdin, new ShimAttachOptions(Stdin: true, StdinOnce: true));
        await using (stream)
        {
            await stream!.WriteStdinAsync(Encoding.UTF8.GetBytes("hello\n"));
            stream.CompleteStdin();
            Assert.Equal("got:hello\n", (await AttachOutput.CollectAsync(stream)).Stdout);
        }

        var withTerminal = ExecProcess(["tty"]);
        withTerminal.Terminal = true;
        var (_, ttyStream) = await client.ExecAsync("tty", withTerminal, new ShimAttachOptions());
        await using (ttyStream)
        {
            var output = await AttachOutput.CollectAsync(ttyStream!);
            Assert.Matches(@"^/dev/pts/\d+\r\n$", output.Stdout);
            Assert.Equal(0, output.Exit?.ExitCode);
        }
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Exec_of_a_missing_program_exits_127(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        await client.ExecAsync("missing", ExecProcess(["/no/such/program"]));
        var status = await ShimHarness.WaitWithTimeoutAsync(client, "missing");
        Assert.Equal(127, status.ExitCode);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Pause_resume_and_pids(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        var started = await client.StartAsync();
        Assert.Contains(started.Pid, await client.GetPidsAsync());
        await client.PauseAsync();
        Assert.Equal(ProcessStatuses.Paused, (await client.GetStateAsync()).Status);
        Assert.Contains("\"status\": \"paused\"", harness.RunRuntime("state", harness.ContainerId));
        await client.ResumeAsync();
        Assert.Equal(ProcessStatuses.Running, (await client.GetStateAsync()).Status);
        await Assert.ThrowsAsync<Engine.ConflictException>(() => client.DeleteAsync());
        var deleted = await client.DeleteAsync(force: true);
        Assert.Equal(ProcessStatuses.Deleted, deleted.Status);
        Assert.False(ShimHarness.IsAlive(started.Pid));
    }

    private static Process ExecProcess(List<string> args) => new()
    {
        Args = args,
        Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Cwd = "/",
    };
}
