using System.Text;
using WebEngine.Engine.Logs;
using WebEngine.TestSupport;

namespace WebEngine.Shim.Tests;

/// <summary>The engine's json-file log reader on hand-written logs: rotated files, tail, since/until, follow.</summary>
public sealed class JsonFileLogReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new("webengine-logs");

    private string LogPath => _directory.Combine("c-json.log");

    [Fact]
    public void Parses_Dockers_records_with_nanosecond_times()
    {
        var entry = JsonFileLogReader.ParseLine("""{"log":"a \u003cb\u003e\n","stream":"stderr","time":"2024-03-01T10:20:30.123456789Z"}"""u8);
        Assert.NotNull(entry);
        Assert.Equal("a <b>\n", entry.Text);
        Assert.Equal(LogStream.Stderr, entry.Stream);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 20, 30, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000 + 123456789, entry.UnixNanoseconds);
        Assert.Null(JsonFileLogReader.ParseLine("""{"log":"torn"""u8));
    }

    [Fact]
    public async Task Reads_rotated_files_oldest_first_with_tail_since_and_until()
    {
        Write(LogPath + ".2", 1, 3);
        Write(LogPath + ".1", 4, 6);
        Write(LogPath, 7, 9);
        Assert.Equal(Lines(1, 9), await ReadAsync(new LogReadOptions()));
        Assert.Equal(Lines(7, 9), await ReadAsync(new LogReadOptions { Tail = 3 }));
        Assert.Empty(await ReadAsync(new LogReadOptions { Tail = 0 }));
        Assert.Equal(Lines(3, 5), await ReadAsync(new LogReadOptions { Since = TimeOf(3), Until = TimeOf(6) }));
        Assert.Equal(Lines(5, 5), await ReadAsync(new LogReadOptions { Since = TimeOf(3), Until = TimeOf(6), Tail = 1 }));
        Assert.Equal(["line2\n", "line4\n", "line6\n", "line8\n"], await ReadAsync(new LogReadOptions { Stdout = false }));
    }

    [Fact]
    public async Task Following_continues_across_a_rotation_and_holds_back_a_half_written_line()
    {
        Write(LogPath, 1, 2);
        var stop = new TaskCompletionSource();
        var seen = new List<string>();
        var follower = Task.Run(async () =>
        {
            await foreach (var entry in JsonFileLogReader.ReadAsync(LogPath,
                               new LogReadOptions { Follow = true, FollowUntil = stop.Task, PollInterval = TimeSpan.FromMilliseconds(5) }))
            {
                lock (seen)
                    seen.Add(entry.Text);
            }
        });
        await ShimHarness.EventuallyAsync(() => Count(seen) == 2, "the existing lines are read");
        var half = Record(3);
        File.AppendAllText(LogPath, half[..10], new UTF8Encoding(false));
        await Task.Delay(50);
        Assert.Equal(2, Count(seen));
        File.AppendAllText(LogPath, half[10..], new UTF8Encoding(false));
        await ShimHarness.EventuallyAsync(() => Count(seen) == 3, "the completed line is read");
        File.Move(LogPath, LogPath + ".1");
        Write(LogPath, 4, 5);
        stop.SetResult();
        await follower.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Lines(1, 5), seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_follower_that_sleeps_through_two_rotations_reads_every_file_between(bool oldFileRemoved)
    {
        Write(LogPath, 1, 2);
        var stop = new TaskCompletionSource();
        var seen = new List<string>();
        // A long poll, so that both rotations below happen while the follower waits.
        var follower = Task.Run(async () =>
        {
            await foreach (var entry in JsonFileLogReader.ReadAsync(LogPath,
                               new LogReadOptions { Follow = true, FollowUntil = stop.Task, PollInterval = TimeSpan.FromSeconds(3) }))
            {
                lock (seen)
                    seen.Add(entry.Text);
            }
        });
        await ShimHarness.EventuallyAsync(() => Count(seen) == 2, "the existing lines are read");
        Write(LogPath, 3, 3);
        File.Move(LogPath, LogPath + ".1");
        Write(LogPath, 4, 5);
        if (oldFileRemoved)
            File.Delete(LogPath + ".1"); // a rotation keeping one old file drops the oldest
        else
            File.Move(LogPath + ".1", LogPath + ".2");
        File.Move(LogPath, LogPath + ".1");
        Write(LogPath, 6, 7);
        await ShimHarness.EventuallyAsync(() => Count(seen) == 7, "every line after the rotations is read");
        stop.SetResult();
        await follower.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Lines(1, 7), seen);
    }

    public void Dispose() => _directory.Dispose();

    private static int Count(List<string> list)
    {
        lock (list)
            return list.Count;
    }

    private async Task<List<string>> ReadAsync(LogReadOptions options)
    {
        var texts = new List<string>();
        await foreach (var entry in JsonFileLogReader.ReadAsync(LogPath, options))
            texts.Add(entry.Text);
        return texts;
    }

    private static List<string> Lines(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"line{i}\n").ToList();

    private static DateTimeOffset TimeOf(int i) => new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i);

    private static string Record(int i) =>
        $"{{\"log\":\"line{i}\\n\",\"stream\":\"{(i % 2 == 0 ? "stderr" : "stdout")}\",\"time\":\"{TimeOf(i):yyyy-MM-ddTHH:mm:ss}.5Z\"}}\n";

    private static void Write(string path, int from, int to) =>
        File.AppendAllText(path, string.Concat(Enumerable.Range(from, to - from + 1).Select(Record)), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
}
