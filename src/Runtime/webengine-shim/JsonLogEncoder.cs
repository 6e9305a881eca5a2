using System.Text;

namespace WebEngine.Shim;

/// <summary>
/// Encodes one record of Docker's json-file log driver: <c>{"log":"…","stream":"stdout","time":"…"}</c> and a newline.
/// The escaping is Docker's: <c>"</c> and <c>\</c> with a backslash; \n, \r, \t short; other control characters and
/// &lt; &gt; &amp; as \u00XX; U+2028/U+2029 escaped; invalid UTF-8 replaced by \ufffd. The time is RFC 3339 in UTC with
/// nanoseconds and trailing zeros trimmed (Go's RFC3339Nano).
/// </summary>
internal static class JsonLogEncoder
{
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    /// <summary>The bytes that go into a JSON string unchanged.</summary>
    private static readonly System.Buffers.SearchValues<byte> PlainAscii = System.Buffers.SearchValues.Create(
        " !#$%'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~\u007f"u8);

    /// <summary>Worst case size of a record for <paramref name="contentLength"/> bytes of content.</summary>
    public static int MaxRecordSize(int contentLength) => MaxEscapedSize(contentLength) + 128;

    /// <summary>Worst case size of <see cref="EscapeInto"/>'s output for <paramref name="contentLength"/> bytes (\u00XX for each).</summary>
    public static int MaxEscapedSize(int contentLength) => contentLength * 6;

    /// <summary>Writes the record into <paramref name="output"/> and returns its length (<paramref name="output"/> must hold <see cref="MaxRecordSize"/>).</summary>
    public static int Encode(Span<byte> output, ReadOnlySpan<byte> content, bool newline, string stream, ReadOnlySpan<byte> time)
    {
        var o = 0;
        Append(output, ref o, "{\"log\":\""u8);
        o += EscapeInto(output[o..], content);
        if (newline)
            Append(output, ref o, "\\n"u8);
        Append(output, ref o, "\",\"stream\":\""u8);
        o += Encoding.ASCII.GetBytes(stream, output[o..]);
        Append(output, ref o, "\",\"time\":\""u8);
        Append(output, ref o, time);
        Append(output, ref o, "\"}\n"u8);
        return o;
    }

    /// <summary>The longest <see cref="FormatTime(Span{byte}, long, long)"/> writes.</summary>
    public const int MaxTimeLength = 30;

    /// <summary>
    /// Formats a CLOCK_REALTIME instant the way Go's time.RFC3339Nano does in UTC. By hand rather than with a format
    /// string: .NET's date formatting (with the time zone code it pulls in) would add code to every shim's memory.
    /// </summary>
    public static int FormatTime(Span<byte> output, long seconds, long nanoseconds)
    {
        var utc = DateTime.UnixEpoch.AddSeconds(seconds);
        var o = 0;
        Digits(output, ref o, utc.Year, 4);
        output[o++] = (byte)'-';
        Digits(output, ref o, utc.Month, 2);
        output[o++] = (byte)'-';
        Digits(output, ref o, utc.Day, 2);
        output[o++] = (byte)'T';
        Digits(output, ref o, utc.Hour, 2);
        output[o++] = (byte)':';
        Digits(output, ref o, utc.Minute, 2);
        output[o++] = (byte)':';
        Digits(output, ref o, utc.Second, 2);
        if (nanoseconds != 0)
        {
            output[o++] = (byte)'.';
            var digits = 9;
            while (nanoseconds % 10 == 0)
            {
                nanoseconds /= 10;
                digits--;
            }
            for (var i = digits - 1; i >= 0; i--)
            {
                output[o + i] = (byte)('0' + nanoseconds % 10);
                nanoseconds /= 10;
            }
            o += digits;
        }
        output[o++] = (byte)'Z';
        return o;
    }

    /// <summary>The same format for a <see cref="DateTimeOffset"/> (times in the protocol, exit.json, shim.log).</summary>
    public static int FormatTime(Span<byte> output, DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        return FormatTime(output, ticks / TimeSpan.TicksPerSecond, ticks % TimeSpan.TicksPerSecond * 100);
    }

    private static void Digits(Span<byte> output, ref int o, int value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            output[o + i] = (byte)('0' + value % 10);
            value /= 10;
        }
        o += count;
    }

    private static void Append(Span<byte> output, ref int o, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output[o..]);
        o += bytes.Length;
    }

    /// <summary>
    /// Writes <paramref name="content"/> as the inside of a JSON string (as Docker's json-file does: quotes,
    /// backslashes, control characters and &lt; &gt; &amp; escaped, invalid UTF-8 replaced) and returns its length.
    /// </summary>
    public static int EscapeInto(Span<byte> output, ReadOnlySpan<byte> content)
    {
        var o = 0;
        var i = 0;
        while (i < content.Length)
        {
            // Most output is plain ASCII: copy runs of it at once (vectorized search), escape one byte at a time only where needed.
            var run = content[i..].IndexOfAnyExcept(PlainAscii);
            if (run < 0)
                run = content.Length - i;
            if (run > 0)
            {
                content.Slice(i, run).CopyTo(output[o..]);
                o += run;
                i += run;
                continue;
            }
            var b = content[i];
            if (b < 0x80)
            {
                if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&')
                {
                    output[o++] = b;
                }
                else
                {
                    output[o++] = (byte)'\\';
                    switch (b)
                    {
                        case (byte)'"' or (byte)'\\': output[o++] = b; break;
                        case (byte)'\n': output[o++] = (byte)'n'; break;
                        case (byte)'\r': output[o++] = (byte)'r'; break;
                        case (byte)'\t': output[o++] = (byte)'t'; break;
                        default:
                            output[o++] = (byte)'u';
                            output[o++] = (byte)'0';
                            output[o++] = (byte)'0';
                            output[o++] = Hex[b >> 4];
                            output[o++] = Hex[b & 0xf];
                            break;
                    }
                }
                i++;
                continue;
            }
            var status = System.Text.Rune.DecodeFromUtf8(content[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                Append(output, ref o, "\\ufffd"u8);
            }
            else if (rune.Value is 0x2028 or 0x2029)
            {
                Append(output, ref o, rune.Value == 0x2028 ? "\\u2028"u8 : "\\u2029"u8);
            }
            else
            {
                content.Slice(i, consumed).CopyTo(output[o..]);
                o += consumed;
            }
            i += consumed;
        }
        return o;
    }
}
