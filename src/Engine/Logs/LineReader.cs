namespace WebEngine.Engine.Logs;

/// <summary>
/// Complete lines from a log file that is still being written: a last line without its newline is held back
/// (the writer is in the middle of it) and returned once the rest arrives.
/// </summary>
internal sealed class LineReader(Stream stream)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Bytes of complete lines returned so far, counted from where the stream was when this reader was made.</summary>
    public long Consumed { get; private set; }

    /// <summary>The next complete line without its newline; false when no complete line is available yet.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                Consumed += newline + 1;
                return true;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                line = default;
                return false;
            }
            _end += n;
        }
    }
}
