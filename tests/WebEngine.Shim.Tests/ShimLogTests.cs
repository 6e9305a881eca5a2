using System.Text;
using WebEngine.Engine.Logs;
using WebEngine.Engine.Shims;

namespace WebEngine.Shim.Tests;

/// <summary>The container's output in the json-file log and on live attaches.</summary>
public sealed class ShimLogTests
{
    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Output_reaches_the_log_and_every_attached_client_in_order_on_the_right_stream(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime,
            ["sh", "-c", "i=1; while [ $i -le 300 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done"]);
        var client = await harness.LaunchAsync();
        await using var first = await client.AttachAsync(new ShimAttachOptions());
        await using var second = await client.AttachAsync(new ShimAttachOptions(Stderr: false));
        var firstOutput = AttachOutput.CollectAsync(first);
        var secondOutput = AttachOutput.CollectAsync(second);
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);

        var expectedOut = string.Concat(Enumerable.Range(1, 300).Select(i => $"out{i}\n"));
        var expectedErr = string.Concat(Enumerable.Range(1, 300).Select(i => $"err{i}\n"));
        Assert.Equal(expectedOut, (await firstOutput).Stdout);
        Assert.Equal(expectedErr, (await firstOutput).Stderr);
        Assert.Equal(0, (await firstOutput).Exit?.ExitCode);
        Assert.Equal(expectedOut, (await secondOutput).Stdout);
        Assert.Equal("", (await secondOutput).Stderr);

        var log = await harness.ReadLogAsync();
        Assert.Equal(expectedOut, ShimHarness.Text(log, LogStream.Stdout));
        Assert.Equal(expectedErr, ShimHarness.Text(log, LogStream.Stderr));
        Assert.All(log, entry => Assert.EndsWith("\n", entry.Text));
        Assert.Equal(600, log.Count);
    }

    [Fact]
    public async Task Without_a_log_path_the_output_reaches_attached_clients_and_no_file_is_written()
    {
        await using var harness = ShimHarness.Create(RuntimeUnderTest.Runc, ["sh", "-c", "echo out; echo err >&2"]);
        var client = await harness.LaunchAsync(keepLog: false);
        await using var attach = await client.AttachAsync(new ShimAttachOptions());
        var output = AttachOutput.CollectAsync(attach);
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);

        Assert.Equal(("out\n", "err\n"), ((await output).Stdout, (await output).Stderr));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(harness.LogPath)!, "*.log*"));
    }

    [Fact]
    public async Task Records_use_Dockers_json_file_escaping_and_time_format()
    {
        await using var harness = ShimHarness.Create(RuntimeUnderTest.Runc,
            ["sh", "-c", "printf '<a&b> \"q\" back\\\\slash\\ttab\\001ctl\\n'"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);

        var line = Assert.Single(File.ReadAllLines(harness.LogPath));
        Assert.Matches(
            @"^\{""log"":""\\u003ca\\u0026b\\u003e \\""q\\"" back\\\\slash\\ttab\\u0001ctl\\n"",""stream"":""stdout"",""time"":""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z""\}$",
            line);
        Assert.DoesNotMatch(@"\.\d*0Z", line); // Go's RFC3339Nano trims trailing zeros
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_line_longer_than_16_KiB_is_split_into_partial_records_like_Docker(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime,
            ["sh", "-c", "i=0; while [ $i -lt 4000 ]; do printf 0123456789; i=$((i+1)); done; echo; echo short"]);
        var client = await harness.LaunchAsync();
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);

        var log = await harness.ReadLogAsync();
        Assert.Equal([16384, 16384, 40000 - 2 * 16384 + 1, 6], log.Select(e => e.Text.Length));
        Assert.True(log[0].Partial);
        Assert.True(log[1].Partial);
        Assert.False(log[2].Partial);
        Assert.Equal("short\n", log[3].Text);
        Assert.Equal(string.Concat(Enumerable.Repeat("0123456789", 4000)) + "\n", string.Concat(log.Take(3).Select(e => e.Text)));
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task Rotation_keeps_at_most_the_configured_files_and_size(string runtime)
    {
        const int maxSize = 8192;
        await using var harness = ShimHarness.Create(runtime,
            ["sh", "-c", "i=1; while [ $i -le 2000 ]; do echo line$i; i=$((i+1)); done"]);
        var client = await harness.LaunchAsync(logMaxSize: maxSize, logMaxFiles: 3);
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);

        var files = new[] { harness.LogPath, harness.LogPath + ".1", harness.LogPath + ".2" };
        Assert.All(files, file => Assert.True(File.Exists(file), $"{file} should exist"));
        Assert.False(File.Exists(harness.LogPath + ".3"));
        Assert.All(files, file => Assert.InRange(new FileInfo(file).Length, 1, maxSize));

        // What is left is the newest part of the output, complete and in order.
        var texts = (await harness.ReadLogAsync()).Select(e => e.Text).ToList();
        Assert.Equal("line2000\n", texts[^1]);
        var first = int.Parse(texts[0][4..^1]);
        Assert.Equal(Enumerable.Range(first, 2001 - first).Select(i => $"line{i}\n"), texts);
    }

    [Theory]
    [MemberData(nameof(RuntimeUnderTest.All), MemberType = typeof(RuntimeUnderTest))]
    public async Task A_terminal_containers_output_is_logged_as_stdout(string runtime)
    {
        await using var harness = ShimHarness.Create(runtime, ["sh", "-c", "echo on-tty; tty; exit 3"], spec => spec.Process!.Terminal = true);
        var client = await harness.LaunchAsync();
        await using var attach = await client.AttachAsync(new ShimAttachOptions());
        var output = AttachOutput.CollectAsync(attach);
        await client.StartAsync();
        var status = await ShimHarness.WaitWithTimeoutAsync(client);

        Assert.True(status.Terminal);
        Assert.Equal(3, status.ExitCode);
        var log = await harness.ReadLogAsync();
        Assert.All(log, entry => Assert.Equal(LogStream.Stdout, entry.Stream));
        var text = ShimHarness.Text(log, LogStream.Stdout);
        Assert.Contains("on-tty\r\n", text);
        Assert.Matches(@"/dev/pts/\d+\r\n", text);
        Assert.Equal(text, (await output).Stdout);
    }

    [Fact]
    public async Task Following_the_log_sees_new_lines_until_the_container_stops()
    {
        // About three records fit a 256-byte file: at a tick every 0.25 s a file lives ~0.75 s. The follower polls
        // every 10 ms but follows the current file only, so a follower that stalls longer than a file lives (a busy CI
        // machine: with 0.05 s ticks it failed there) skips that file.
        await using var harness = ShimHarness.Create(RuntimeUnderTest.Runc,
            ["sh", "-c", "i=1; while [ $i -le 20 ]; do echo tick$i; sleep 0.25; i=$((i+1)); done"]);
        var client = await harness.LaunchAsync(logMaxSize: 256, logMaxFiles: 5);
        var stopped = new TaskCompletionSource();
        var lines = new List<string>();
        var follower = Task.Run(async () =>
        {
            await foreach (var entry in Engine.Logs.JsonFileLogReader.ReadAsync(harness.LogPath,
                               new LogReadOptions { Follow = true, FollowUntil = stopped.Task, PollInterval = TimeSpan.FromMilliseconds(10) }))
                lines.Add(entry.Text);
        });
        await client.StartAsync();
        await ShimHarness.WaitWithTimeoutAsync(client);
        stopped.SetResult();
        await follower.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"tick{i}\n"), lines);
        Assert.True(File.Exists(harness.LogPath + ".1"), "the follower should have crossed a rotation");
    }

    [Fact]
    public async Task Stdin_reaches_the_container()
    {
        await using var harness = ShimHarness.Create(RuntimeUnderTest.Runc, ["sh", "-c", "read a; read b; echo got:$a:$b; cat"]);
        var client = await harness.LaunchAsync(openStdin: true);
        await using var attach = await client.AttachAsync(new ShimAttachOptions(Stdin: true, StdinOnce: true));
        var output = AttachOutput.CollectAsync(attach);
        await client.StartAsync();
        await attach.WriteStdinAsync(Encoding.UTF8.GetBytes("one\ntwo\nrest\n"));
        attach.CompleteStdin();
        Assert.Equal("got:one:two\nrest\n", (await output).Stdout);
        Assert.Equal(0, (await ShimHarness.WaitWithTimeoutAsync(client)).ExitCode);
    }
}
