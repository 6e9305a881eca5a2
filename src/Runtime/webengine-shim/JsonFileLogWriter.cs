namespace WebEngine.Shim;

/// <summary>
/// Writes a container's stdout and stderr to <c>&lt;id&gt;-json.log</c> in Docker's json-file format: one record per
/// line, lines longer than 16 KiB split into partial records without the trailing newline, rotated by size into
/// <c>.1</c> … <c>.N-1</c>. Writes go straight to the file: nothing here ever waits on a reader.
/// </summary>
internal sealed class JsonFileLogWriter : IDisposable
{
    /// <summary>Docker's copier buffer: a longer line becomes several partial records.</summary>
    public const int MaxLineBytes = 16 * 1024;

    private readonly object _lock = new();
    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private readonly Dictionary<string, PendingLine> _pending = [];
    private byte[] _output = new byte[JsonLogEncoder.MaxRecordSize(MaxLineBytes)];
    private readonly byte[] _time = new byte[40];
    private FileDescriptor _file;
    private long _size;

    /// <param name="maxSize">Rotate before a record would make the file larger than this; 0 disables rotation.</param>
    /// <param name="maxFiles">How many files to keep, the current one included.</param>
    public JsonFileLogWriter(string path, long maxSize, int maxFiles)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = Math.Max(1, maxFiles);
        _file = OpenCurrent();
    }

    /// <summary>Logs what a stream delivered; complete lines are written now, a trailing partial line waits for its end.</summary>
    public void Write(string stream, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            var pending = Pending(stream);
            var batch = new Batch(this);
            var time = Now();
            while (!data.IsEmpty)
            {
                var room = MaxLineBytes - pending.Length;
                var newline = data[..Math.Min(data.Length, room)].IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    if (pending.Length == 0)
                    {
                        batch.Add(data[..newline], newline: true, stream, time);
                    }
                    else
                    {
                        pending.Append(data[..newline]);
                        batch.Add(pending.Content, newline: true, stream, time);
                        pending.Length = 0;
                    }
                    data = data[(newline + 1)..];
                }
                else if (data.Length >= room)
                {
                    // A full buffer without a newline: Docker writes it as a partial record, without "\n".
                    pending.Append(data[..room]);
                    batch.Add(pending.Content, newline: false, stream, time);
                    pending.Length = 0;
                    data = data[room..];
                }
                else
                {
                    pending.Append(data);
                    data = default;
                }
            }
            batch.Flush();
        }
    }

    /// <summary>The stream ended: a last line without a newline is written as a complete line, as Docker does.</summary>
    public void EndOfStream(string stream)
    {
        lock (_lock)
        {
            var pending = Pending(stream);
            if (pending.Length == 0)
                return;
            var batch = new Batch(this);
            batch.Add(pending.Content, newline: true, stream, Now());
            pending.Length = 0;
            batch.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _file.Dispose();
    }

    private PendingLine Pending(string stream)
    {
        if (!_pending.TryGetValue(stream, out var pending))
            _pending[stream] = pending = new PendingLine();
        return pending;
    }

    private unsafe ReadOnlySpan<byte> Now()
    {
        Interop.Timespec now;
        Interop.clock_gettime(0 /* CLOCK_REALTIME */, &now);
        return _time.AsSpan(0, JsonLogEncoder.FormatTime(_time, now.Seconds, now.Nanoseconds));
    }

    private FileDescriptor OpenCurrent()
    {
        var file = FileDescriptor.Open(_path, Interop.O_WRONLY | Interop.O_CREAT | Interop.O_APPEND, 0b110_100_000);
        _size = new FileInfo(_path).Length;
        return file;
    }

    private void Rotate()
    {
        _file.Dispose();
        for (var i = _maxFiles - 1; i >= 1; i--)
        {
            var from = i == 1 ? _path : $"{_path}.{i - 1}";
            if (File.Exists(from) && Interop.rename(from, $"{_path}.{i}") < 0)
                throw SystemCallException.FromLastError($"rename {from} to {_path}.{i}");
        }
        if (_maxFiles == 1)
            File.WriteAllBytes(_path, []);
        _file = OpenCurrent();
    }

    private void WriteFile(ReadOnlySpan<byte> bytes)
    {
        if (!FdIo.TryWriteAll(_file.Fd, bytes, socket: false))
            throw SystemCallException.FromLastError($"write {_path}");
        _size += bytes.Length;
    }

    /// <summary>Records collected into one write(2), flushed early when the next record needs a rotation first.</summary>
    private ref struct Batch(JsonFileLogWriter writer)
    {
        private int _length;

        public void Add(ReadOnlySpan<byte> content, bool newline, string stream, ReadOnlySpan<byte> time)
        {
            var needed = JsonLogEncoder.MaxRecordSize(content.Length);
            if (writer._output.Length - _length < needed)
            {
                Flush();
                if (writer._output.Length < needed)
                    writer._output = new byte[needed];
            }
            var length = JsonLogEncoder.Encode(writer._output.AsSpan(_length), content, newline, stream, time);
            if (writer._maxSize > 0 && writer._size + _length + length > writer._maxSize && writer._size + _length > 0)
            {
                var record = writer._output.AsSpan(_length, length).ToArray();
                Flush();
                writer.Rotate();
                record.CopyTo(writer._output, 0);
                _length = length;
                return;
            }
            _length += length;
        }

        public void Flush()
        {
            if (_length > 0)
                writer.WriteFile(writer._output.AsSpan(0, _length));
            _length = 0;
        }
    }

    private sealed class PendingLine
    {
        private readonly byte[] _buffer = new byte[MaxLineBytes];

        public int Length { get; set; }

        public ReadOnlySpan<byte> Content => _buffer.AsSpan(0, Length);

        public void Append(ReadOnlySpan<byte> data)
        {
            data.CopyTo(_buffer.AsSpan(Length));
            Length += data.Length;
        }
    }
}
