using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace WebEngine.Engine.Logs;

/// <summary>
/// Reads a container's json-file log (<c>&lt;id&gt;-json.log</c> and its rotated <c>.1</c>, <c>.2</c> …, oldest first)
/// with Docker's tail/since/until/follow. The shim writes these files and never waits for a reader; a follower
/// notices a rotation by the file at the path changing under it and finishes the old file before moving on.
/// </summary>
public static class JsonFileLogReader
{
    public static async IAsyncEnumerable<LogEntry> ReadAsync(string logPath, LogReadOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = new CurrentFilePosition();
        IEnumerable<LogEntry> entries = ReadFiles(logPath, RotatedFiles(logPath), options, position);
        if (options.Tail is { } tail)
        {
            var last = new Queue<LogEntry>();
            foreach (var entry in entries)
            {
                last.Enqueue(entry);
                if (last.Count > tail)
                    last.Dequeue();
            }
            entries = last;
        }
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
        if (!options.Follow)
            yield break;
        await foreach (var entry in FollowAsync(logPath, position, options, cancellationToken))
            yield return entry;
    }

    /// <summary>Parses one json-file record; null for a line that is not one (a torn write at a crash).</summary>
    public static LogEntry? ParseLine(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            string? text = null, stream = null, time = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "log": text = reader.GetString(); break;
                    case "stream": stream = reader.GetString(); break;
                    case "time": time = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }
            if (text is null || time is null || !TryParseTime(time, out var nanoseconds))
                return null;
            return new LogEntry(stream == "stderr" ? LogStream.Stderr : LogStream.Stdout, FromUnixNanoseconds(nanoseconds), nanoseconds, text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses RFC 3339 with up to nine fraction digits (what Docker writes) into nanoseconds since the epoch.</summary>
    public static bool TryParseTime(string value, out long unixNanoseconds)
    {
        unixNanoseconds = 0;
        var dot = value.IndexOf('.');
        var zone = value.IndexOfAny(['Z', '+', '-'], 19);
        if (zone < 0)
            return false;
        var withoutFraction = dot > 0 ? value[..dot] + value[zone..] : value;
        if (!DateTimeOffset.TryParse(withoutFraction, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var whole))
            return false;
        long fraction = 0;
        if (dot > 0)
        {
            var digits = value[(dot + 1)..zone];
            if (digits.Length is 0 or > 9 || !long.TryParse(digits.PadRight(9, '0'), out fraction))
                return false;
        }
        unixNanoseconds = whole.ToUnixTimeSeconds() * 1_000_000_000 + fraction;
        return true;
    }

    private static DateTimeOffset FromUnixNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);

    /// <summary>The log's files that exist, oldest first: path.N-1 … path.1, path.</summary>
    private static List<string> RotatedFiles(string logPath)
    {
        var files = new List<string>();
        for (var i = 1; File.Exists($"{logPath}.{i}"); i++)
            files.Insert(0, $"{logPath}.{i}");
        if (File.Exists(logPath))
            files.Add(logPath);
        return files;
    }

    private static IEnumerable<LogEntry> ReadFiles(string logPath, List<string> files, LogReadOptions options, CurrentFilePosition position)
    {
        foreach (var file in files)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            }
            catch (FileNotFoundException)
            {
                continue; // rotated away between listing and opening
            }
            using (stream)
            {
                var reader = new LineReader(stream);
                while (reader.TryReadLine(out var line))
                {
                    if (ParseLine(line) is { } entry && Matches(entry, options))
                        yield return entry;
                }
                if (file == logPath)
                    (position.Inode, position.Offset) = (FileIdentity.Of(stream.SafeFileHandle), reader.Consumed);
            }
        }
    }

    private static async IAsyncEnumerable<LogEntry> FollowAsync(string logPath, CurrentFilePosition position, LogReadOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream? stream = null;
        LineReader? reader = null;
        try
        {
            while (true)
            {
                var stopping = options.FollowUntil?.IsCompleted == true;
                if (stream is null && TryOpen(logPath) is { } opened)
                {
                    stream = opened;
                    // Continue where the initial read stopped. Rotated since: the rest of that file (found by its
                    // identity among the rotated ones), the files rotated after it, then this one from its start.
                    if (FileIdentity.Of(stream.SafeFileHandle) == position.Inode)
                        stream.Seek(Math.Min(position.Offset, stream.Length), SeekOrigin.Begin);
                    else if (position.Inode != 0)
                    {
                        await stream.DisposeAsync();
                        var (previous, between, next) = FilesAfter(logPath, position.Inode);
                        if (previous is not null)
                        {
                            previous.Seek(Math.Min(position.Offset, previous.Length), SeekOrigin.Begin);
                            between.Insert(0, previous);
                        }
                        foreach (var entry in ReadAll(between, options))
                            yield return entry;
                        stream = next;
                    }
                    position.Inode = 0;
                    reader = stream is null ? null : new LineReader(stream);
                }
                if (stream is not null)
                {
                    while (reader!.TryReadLine(out var line))
                    {
                        if (ParseLine(line) is { } entry && Matches(entry, options))
                            yield return entry;
                    }
                    if (FileIdentity.OfPath(logPath) is { } current && current != FileIdentity.Of(stream.SafeFileHandle))
                    {
                        // Rotated, and everything of the old file has been read above. Files rotated past it since (a
                        // reader that slept through more than one rotation) come next, oldest first, then the current
                        // file from its start: all opened now, so further rotations cannot move them away.
                        var (previous, between, next) = FilesAfter(logPath, FileIdentity.Of(stream.SafeFileHandle));
                        await stream.DisposeAsync();
                        if (previous is not null)
                            await previous.DisposeAsync();
                        foreach (var entry in ReadAll(between, options))
                            yield return entry;
                        stream = next;
                        reader = next is null ? null : new LineReader(next);
                        continue;
                    }
                }
                if (stopping)
                    yield break;
                var delay = Task.Delay(options.PollInterval, cancellationToken);
                if (options.FollowUntil is { } until)
                    await Task.WhenAny(delay, until);
                else
                    await delay;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (stream is not null)
                await stream.DisposeAsync();
        }
    }

    /// <summary>
    /// Opens, by its identity, the file <paramref name="previous"/> if it is still among the rotated ones; the rotated
    /// files newer than it (every rotated file when it is gone), oldest first; and the current file. All are opened
    /// at once, so later rotations cannot move them away.
    /// </summary>
    private static (FileStream? Previous, List<FileStream> Between, FileStream? Current) FilesAfter(string logPath, ulong previous)
    {
        var rotated = new List<string>();
        string? previousPath = null;
        for (var i = 1; File.Exists($"{logPath}.{i}"); i++)
        {
            if (FileIdentity.OfPath($"{logPath}.{i}") == previous)
            {
                previousPath = $"{logPath}.{i}";
                break;
            }
            rotated.Insert(0, $"{logPath}.{i}");
        }
        var between = new List<FileStream>();
        foreach (var path in rotated)
        {
            if (TryOpen(path) is { } file)
                between.Add(file);
        }
        return (previousPath is null ? null : TryOpen(previousPath), between, TryOpen(logPath));
    }

    /// <summary>Every record of the files from where each stands, then closes them.</summary>
    private static IEnumerable<LogEntry> ReadAll(List<FileStream> files, LogReadOptions options)
    {
        try
        {
            foreach (var file in files)
            {
                var reader = new LineReader(file);
                while (reader.TryReadLine(out var line))
                {
                    if (ParseLine(line) is { } entry && Matches(entry, options))
                        yield return entry;
                }
            }
        }
        finally
        {
            foreach (var file in files)
                file.Dispose();
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return null; // between a rotation's rename and the new file
        }
    }

    private static bool Matches(LogEntry entry, LogReadOptions options) =>
        (entry.Stream == LogStream.Stdout ? options.Stdout : options.Stderr) &&
        (options.Since is not { } since || entry.Time >= since) &&
        (options.Until is not { } until || entry.Time < until);

    /// <summary>Where the initial read of the current file ended, so that following continues from there.</summary>
    private sealed class CurrentFilePosition
    {
        public ulong Inode { get; set; }
        public long Offset { get; set; }
    }
}
