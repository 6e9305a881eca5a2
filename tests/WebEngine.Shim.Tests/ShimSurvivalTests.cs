using System.Diagnostics;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim.Tests;

/// <summary>What the shim keeps when its clients (the daemon) go away: the container, its log, its exit status.</summary>
public sealed class ShimSurvivalTests
{
    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task The_shim_is_detached_in_its_own_session_without_the_callers_descriptors(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sleep", "1000"]);
        await harness.LaunchAsync();
        var stat = File.ReadAllText($"/proc/{harness.ShimPid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.NotEqual(Environment.ProcessId, int.Parse(fields[1])); // not our child: the launcher exited
        Assert.Equal(harness.ShimPid, int.Parse(fields[3]));          // session leader of its own session
        Assert.Equal("/dev/null", ReadLink($"/proc/{harness.ShimPid}/fd/0"));
        Assert.Equal("/dev/null", ReadLink($"/proc/{harness.ShimPid}/fd/1"));
        Assert.EndsWith("shim.log", ReadLink($"/proc/{harness.ShimPid}/fd/2"));
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Killing_an_attached_client_mid_stream_leaves_the_container_and_the_log_intact(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime,
            ["sh", "-c", "i=1; while [ $i -le 3000 ]; do echo line$i; i=$((i+1)); if [ $i = 500 ]; then sleep 1; fi; done"]);
        var client = await harness.LaunchAsync();
        // The client in another process: the shim's own attach command, a NativeAOT protocol client that starts in milliseconds.
        var startInfo = new ProcessStartInfo(harness.ShimBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "attach", "--socket", harness.SocketPath })
            startInfo.ArgumentList.Add(argument);
        using var attached = Process.Start(startInfo)!;
        await client.StartAsync();
        Assert.Matches(@"^line\d+$", await attached.StandardOutput.ReadLineAsync());
        attached.Kill();
        await attached.WaitForExitAsync();

        var status = await ShimHarness.WaitWithTimeoutAsync(client);
        Assert.Equal(0, status.ExitCode);
        var log = await harness.ReadLogAsync();
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => $"line{i}\n"), log.Select(e => e.Text));
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_new_client_after_the_old_one_died_sees_status_exit_code_and_every_log_line(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime,
            ["sh", "-c", "i=1; while [ $i -le 100 ]; do echo line$i; i=$((i+1)); done; sleep 1; exit 7"]);
        var client = await harness.LaunchAsync();
        var attach = await client.AttachAsync(new ShimAttachOptions());
        await client.StartAsync();
        Assert.NotNull(await attach.ReadAsync());
        await attach.DisposeAsync();
        await client.DisposeAsync();

        await ShimHarness.EventuallyAsync(() => File.Exists(Path.Combine(harness.StateDirectory, ExitRecord.FileName)), "the container exited");
        await using var reconnected = harness.NewClient();
        var status = await reconnected.GetStateAsync();
        Assert.Equal(ProcessStatuses.Stopped, status.Status);
        Assert.Equal(7, status.ExitCode);
        Assert.Equal(7, ShimLauncher.ReadExitRecord(harness.StateDirectory)?.ExitCode);
        // Re-attaching to a stopped container ends at once with its final status.
        await using var again = await reconnected.AttachAsync(new ShimAttachOptions());
        Assert.Equal(7, (await AttachOutput.CollectAsync(again)).Exit?.ExitCode);
        var log = await harness.ReadLogAsync();
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"line{i}\n"), log.Select(e => e.Text));
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_client_that_never_reads_is_detached_and_never_blocks_the_container(string runtime)
    {
        const int lines = 2_000_000;
        var bytes = Enumerable.Range(1, lines).Sum(i => (long)i.ToString().Length + 1); // about 15 MB
        await using var harness = ShimHarness.Create(runtime, ["seq", "1", lines.ToString()]);
        var client = await harness.LaunchAsync(logMaxSize: 0);
        await using var stuck = await client.AttachAsync(new ShimAttachOptions());
        await client.StartAsync();
        var status = await ShimHarness.WaitWithTimeoutAsync(client, seconds: 120);
        Assert.Equal(0, status.ExitCode);
        var log = await harness.ReadLogAsync();
        Assert.Equal(bytes, log.Sum(e => e.Text.Length));

        // The stuck client was cut off: what it can still read ends without the exit frame, far short of the output.
        var received = 0L;
        try
        {
            while (await stuck.ReadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token) is { } chunk)
                received += chunk.Data.Length;
        }
        catch (IOException)
        {
            // a reset connection is as good an end as a closed one
        }
        Assert.Null(stuck.ExitStatus);
        Assert.InRange(received, 0, bytes / 2);
    }

    [Fact]
    public async Task A_client_sending_garbage_is_dropped_without_disturbing_the_others()
    {
        await using var harness = ShimHarness.Create(RuntimeUnderTest.Runc, ["sleep", "1000"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        using (var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0))
        {
            await raw.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(harness.SocketPath));
            await raw.SendAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff });
            Assert.Equal(0, await raw.ReceiveAsync(new byte[16])); // the shim hangs up on a frame longer than the protocol allows
        }
        Assert.Equal(ProcessStatuses.Running, (await client.GetStateAsync()).Status);
        await client.KillAsync(9);
        Assert.Equal(137, (await ShimHarness.WaitWithTimeoutAsync(client)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task The_shim_reaps_the_processes_its_containers_pid_1_leaves_behind(string runtime)
    {
        // Without a pid namespace the children of the container's init are re-parented to the shim (its subreaper) when init exits.
        await using var harness = ShimHarness.Create(runtime, ["sh", "-c", "sleep 5 >/dev/null 2>&1 & sleep 5 >/dev/null 2>&1 & exit 0"],
            spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "pid"));
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        var status = await ShimHarness.WaitWithTimeoutAsync(client);
        Assert.Equal(0, status.ExitCode);
        var orphans = ShimHarness.ChildrenOf(harness.ShimPid);
        Assert.Equal(2, orphans.Count(c => c.State != 'Z'));
        await ShimHarness.EventuallyAsync(() => ShimHarness.ChildrenOf(harness.ShimPid).Count == 0, "the orphans have exited and been reaped");
        Assert.DoesNotContain(ShimHarness.ChildrenOf(harness.ShimPid), c => c.State == 'Z');
    }

    private static string ReadLink(string path) => new FileInfo(path).LinkTarget ?? "";
}
