using System.Buffers.Text;
using System.Text;
using WebEngine.ShimProtocol;

namespace WebEngine.Shim;

/// <summary>
/// The little JSON the shim reads and writes: protocol frames, exit.json, config.json's <c>process.terminal</c> and the
/// runtime's <c>ps</c> output. The shim does not use System.Text.Json: its serializer, reader and the reflection
/// they pull in were more than half of the shim's code, and every page of it counts in the memory of each idle shim
/// (see README.md). The JSON matches what ShimJsonContext writes and reads on the engine's side: the protocol's
/// property names, defaults (false, 0, null) left out.
/// </summary>
internal static class ShimJson
{
    /// <summary>Parses one JSON document (RFC 8259); throws <see cref="ShimProtocolException"/> on anything else.</summary>
    public static JsonNode Parse(ReadOnlyMemory<byte> utf8) => new JsonParser(utf8).ParseDocument();

    public static ShimRequest ReadRequest(ReadOnlyMemory<byte> payload)
    {
        var root = Parse(payload);
        if (root.Kind != JsonKind.Object)
            throw new ShimProtocolException("frame is not a valid request: not a JSON object");
        return new ShimRequest
        {
            Op = root.StringOrNull("op") ?? "",
            Version = root.Int32OrNull("version"),
            ExecId = root.StringOrNull("execId"),
            Signal = root.Int32OrNull("signal"),
            All = root.Bool("all"),
            Stdin = root.Bool("stdin"),
            Stdout = root.Bool("stdout"),
            Stderr = root.Bool("stderr"),
            StdinOnce = root.Bool("stdinOnce"),
            Width = (ushort)(root.Int32OrNull("width", 0, ushort.MaxValue) ?? 0),
            Height = (ushort)(root.Int32OrNull("height", 0, ushort.MaxValue) ?? 0),
            Process = root.Property("process") is { Kind: not JsonKind.Null } process ? process : null,
            Attach = root.Bool("attach"),
            Force = root.Bool("force"),
        };
    }

    /// <summary>A whole response frame: header and JSON.</summary>
    public static byte[] ResponseFrame(ShimResponse response)
    {
        var json = new JsonWriter(ShimFrame.HeaderSize);
        json.Begin();
        json.Bool("ok", response.Ok);
        json.String("error", response.Error);
        json.String("errorKind", response.ErrorKind);
        json.Number("version", response.Version);
        json.Number("shimPid", response.ShimPid);
        json.String("id", response.Id);
        if (response.Process is not null)
        {
            json.Name("process");
            WriteProcessStatus(json, response.Process);
        }
        if (response.Pids is not null)
        {
            json.Name("pids");
            json.Array(response.Pids);
        }
        json.End();
        return json.ToFrame();
    }

    /// <summary>A request frame, for the attach command.</summary>
    public static byte[] RequestFrame(ShimRequest request)
    {
        var json = new JsonWriter(ShimFrame.HeaderSize);
        json.Begin();
        json.String("op", request.Op);
        json.Number("version", request.Version);
        json.String("execId", request.ExecId);
        json.Bool("stdin", request.Stdin);
        json.Bool("stdout", request.Stdout);
        json.Bool("stderr", request.Stderr);
        json.Bool("stdinOnce", request.StdinOnce);
        json.End();
        return json.ToFrame();
    }

    /// <summary>A response as the attach command needs it: ok and the error.</summary>
    public static (bool Ok, string? Error) ReadResponse(ReadOnlyMemory<byte> payload)
    {
        var root = Parse(payload);
        return root.Kind == JsonKind.Object ? (root.Bool("ok"), root.StringOrNull("error")) : throw new ShimProtocolException("frame is not a valid response: not a JSON object");
    }

    public static byte[] ProcessStatus(ProcessStatus status)
    {
        var json = new JsonWriter();
        WriteProcessStatus(json, status);
        return json.ToArray();
    }

    public static byte[] ExitRecord(ExitRecord record)
    {
        var json = new JsonWriter();
        json.Begin();
        json.String("id", record.Id);
        json.Number("pid", record.Pid);
        json.Number("exitCode", record.ExitCode);
        json.Time("startedAt", record.StartedAt);
        json.Time("finishedAt", record.FinishedAt);
        json.String("error", record.Error);
        json.End();
        return json.ToArray();
    }

    private static void WriteProcessStatus(JsonWriter json, ProcessStatus status)
    {
        json.Begin();
        json.String("id", status.Id);
        json.String("execId", status.ExecId);
        json.String("status", status.Status);
        json.Number("pid", status.Pid);
        json.Number("exitCode", status.ExitCode);
        json.Bool("terminal", status.Terminal);
        json.Time("startedAt", status.StartedAt);
        json.Time("finishedAt", status.FinishedAt);
        json.String("error", status.Error);
        json.End();
    }
}

/// <summary>A request frame as the shim decodes it (the fields of WebEngine.ShimProtocol's ShimRequest; see PROTOCOL.md).</summary>
internal sealed class ShimRequest
{
    public string Op { get; init; } = "";
    public int? Version { get; init; }
    public string? ExecId { get; init; }
    public int? Signal { get; init; }
    public bool All { get; init; }
    public bool Stdin { get; init; }
    public bool Stdout { get; init; }
    public bool Stderr { get; init; }
    public bool StdinOnce { get; init; }
    public ushort Width { get; init; }
    public ushort Height { get; init; }

    /// <summary>exec: the OCI process object, with its raw text.</summary>
    public JsonNode? Process { get; init; }

    public bool Attach { get; init; }
    public bool Force { get; init; }
}

internal enum JsonKind
{
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}

/// <summary>A parsed JSON value; <see cref="Raw"/> is its exact text in the document.</summary>
internal sealed class JsonNode
{
    public JsonKind Kind { get; init; }
    public string? String { get; init; }
    public double Number { get; init; }
    public List<JsonNode>? Items { get; init; }
    public Dictionary<string, JsonNode>? Properties { get; init; }
    public ReadOnlyMemory<byte> Raw { get; init; }

    public JsonNode? Property(string name) => Properties is not null && Properties.TryGetValue(name, out var value) ? value : null;

    /// <summary>A boolean property; absent or null is false, as for a bool the engine left out.</summary>
    public bool Bool(string name) => Property(name) switch
    {
        null or { Kind: JsonKind.Null or JsonKind.False } => false,
        { Kind: JsonKind.True } => true,
        _ => throw Mismatch(name, "true or false"),
    };

    public string? StringOrNull(string name) => Property(name) switch
    {
        null or { Kind: JsonKind.Null } => null,
        { Kind: JsonKind.String } value => value.String,
        _ => throw Mismatch(name, "a string"),
    };

    public int? Int32OrNull(string name, int min = int.MinValue, int max = int.MaxValue) => Property(name) switch
    {
        null or { Kind: JsonKind.Null } => null,
        { Kind: JsonKind.Number } value when value.Number == Math.Floor(value.Number) && value.Number >= min && value.Number <= max => (int)value.Number,
        _ => throw Mismatch(name, $"an integer in {min}..{max}"),
    };

    private static ShimProtocolException Mismatch(string name, string expected) => new($"\"{name}\" must be {expected}");
}

/// <summary>A strict recursive-descent parser over UTF-8 bytes.</summary>
internal ref struct JsonParser(ReadOnlyMemory<byte> document)
{
    private const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _text = document.Span;
    private int _position;

    public JsonNode ParseDocument()
    {
        var value = ParseValue(0);
        SkipWhitespace();
        return _position == _text.Length ? value : throw Error("text after the JSON value");
    }

    private JsonNode ParseValue(int depth)
    {
        if (depth > MaxDepth)
            throw Error("nested too deeply");
        SkipWhitespace();
        var start = _position;
        if (_position >= _text.Length)
            throw Error("unexpected end");
        JsonNode node;
        switch (_text[_position])
        {
            case (byte)'{':
                node = ParseObject(depth, start);
                break;
            case (byte)'[':
                node = ParseArray(depth, start);
                break;
            case (byte)'"':
                var s = ParseString();
                node = new JsonNode { Kind = JsonKind.String, String = s, Raw = document[start.._position] };
                break;
            case (byte)'t':
                node = Literal("true"u8, JsonKind.True, start);
                break;
            case (byte)'f':
                node = Literal("false"u8, JsonKind.False, start);
                break;
            case (byte)'n':
                node = Literal("null"u8, JsonKind.Null, start);
                break;
            default:
                node = ParseNumber(start);
                break;
        }
        return node;
    }

    private JsonNode ParseObject(int depth, int start)
    {
        _position++;
        var properties = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        SkipWhitespace();
        if (Peek() == '}')
        {
            _position++;
            return new JsonNode { Kind = JsonKind.Object, Properties = properties, Raw = document[start.._position] };
        }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
                throw Error("expected a property name");
            var name = ParseString();
            SkipWhitespace();
            Expect((byte)':');
            properties[name] = ParseValue(depth + 1);
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }
            Expect((byte)'}');
            return new JsonNode { Kind = JsonKind.Object, Properties = properties, Raw = document[start.._position] };
        }
    }

    private JsonNode ParseArray(int depth, int start)
    {
        _position++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _position++;
            return new JsonNode { Kind = JsonKind.Array, Items = items, Raw = document[start.._position] };
        }
        while (true)
        {
            items.Add(ParseValue(depth + 1));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }
            Expect((byte)']');
            return new JsonNode { Kind = JsonKind.Array, Items = items, Raw = document[start.._position] };
        }
    }

    private string ParseString()
    {
        _position++;
        var builder = new StringBuilder();
        var runStart = _position;
        while (true)
        {
            if (_position >= _text.Length)
                throw Error("unterminated string");
            var b = _text[_position];
            if (b == '"')
            {
                AppendUtf8(builder, _text[runStart.._position]);
                _position++;
                return builder.ToString();
            }
            if (b < 0x20)
                throw Error("control character in a string");
            if (b != '\\')
            {
                _position++;
                continue;
            }
            AppendUtf8(builder, _text[runStart.._position]);
            _position++;
            var escape = Peek();
            _position++;
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u': builder.Append(ParseHex4()); break;
                default: throw Error("invalid escape in a string");
            }
            runStart = _position;
        }
    }

    private char ParseHex4()
    {
        if (_position + 4 > _text.Length || !Utf8Parser.TryParse(_text.Slice(_position, 4), out ushort value, out var consumed, 'x') || consumed != 4)
            throw Error("invalid \\u escape");
        _position += 4;
        return (char)value;
    }

    private static void AppendUtf8(StringBuilder builder, ReadOnlySpan<byte> utf8)
    {
        if (!utf8.IsEmpty)
            builder.Append(Encoding.UTF8.GetString(utf8));
    }

    private JsonNode ParseNumber(int start)
    {
        if (Peek() == '-')
            _position++;
        var digits = _position;
        while (_position < _text.Length && _text[_position] is >= (byte)'0' and <= (byte)'9')
            _position++;
        if (_position == digits || (_text[digits] == '0' && _position - digits > 1))
            throw Error("invalid number");
        if (Peek() == '.')
        {
            _position++;
            var fraction = _position;
            while (_position < _text.Length && _text[_position] is >= (byte)'0' and <= (byte)'9')
                _position++;
            if (_position == fraction)
                throw Error("invalid number");
        }
        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-')
                _position++;
            var exponent = _position;
            while (_position < _text.Length && _text[_position] is >= (byte)'0' and <= (byte)'9')
                _position++;
            if (_position == exponent)
                throw Error("invalid number");
        }
        var raw = _text[start.._position];
        if (!Utf8Parser.TryParse(raw, out double value, out var consumed) || consumed != raw.Length)
            throw Error("invalid number");
        return new JsonNode { Kind = JsonKind.Number, Number = value, Raw = document[start.._position] };
    }

    private JsonNode Literal(ReadOnlySpan<byte> literal, JsonKind kind, int start)
    {
        if (!_text[_position..].StartsWith(literal))
            throw Error("invalid literal");
        _position += literal.Length;
        return new JsonNode { Kind = kind, Raw = document[start.._position] };
    }

    private void Expect(byte b)
    {
        if (Peek() != b)
            throw Error($"expected '{(char)b}'");
        _position++;
    }

    private readonly char Peek() => _position < _text.Length ? (char)_text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            _position++;
    }

    private readonly ShimProtocolException Error(string what) => new($"invalid JSON at byte {_position}: {what}");
}

/// <summary>Writes JSON objects, leaving out default values (false, 0, null), after room for a frame header if asked.</summary>
internal sealed class JsonWriter(int headerSize = 0)
{
    private readonly int _headerSize = headerSize;
    private byte[] _buffer = new byte[256];
    private int _length = headerSize;
    private bool _first = true;

    public void Begin()
    {
        Append((byte)'{');
        _first = true;
    }

    public void End()
    {
        Append((byte)'}');
        _first = false;
    }

    public void Name(string name)
    {
        if (!_first)
            Append((byte)',');
        _first = false;
        WriteString(name);
        Append((byte)':');
    }

    public void String(string name, string? value)
    {
        if (value is null)
            return;
        Name(name);
        WriteString(value);
    }

    public void Bool(string name, bool value)
    {
        if (!value)
            return;
        Name(name);
        Append("true"u8);
    }

    public void Number(string name, int? value)
    {
        if (value is null)
            return;
        Name(name);
        WriteNumber(value.Value);
    }

    public void Number(string name, int value)
    {
        if (value != 0)
            Number(name, (int?)value);
    }

    /// <summary>RFC 3339 in UTC (ISO 8601, which System.Text.Json reads as a DateTimeOffset).</summary>
    public void Time(string name, DateTimeOffset? value)
    {
        if (value is null)
            return;
        Name(name);
        Append((byte)'"');
        Reserve(JsonLogEncoder.MaxTimeLength);
        _length += JsonLogEncoder.FormatTime(_buffer.AsSpan(_length), value.Value);
        Append((byte)'"');
    }

    public void Array(int[] values)
    {
        Append((byte)'[');
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
                Append((byte)',');
            WriteNumber(values[i]);
        }
        Append((byte)']');
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The frame: the 4-byte big-endian payload length, then the JSON.</summary>
    public byte[] ToFrame()
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - _headerSize);
        return ToArray();
    }

    private void WriteNumber(int value)
    {
        Reserve(11);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var written);
        _length += written;
    }

    /// <summary>A JSON string, escaped as the log's records are (<see cref="JsonLogEncoder.EscapeInto"/>).</summary>
    private void WriteString(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Reserve(JsonLogEncoder.MaxEscapedSize(utf8.Length) + 2);
        _buffer[_length++] = (byte)'"';
        _length += JsonLogEncoder.EscapeInto(_buffer.AsSpan(_length), utf8);
        _buffer[_length++] = (byte)'"';
    }

    private void Append(byte b)
    {
        Reserve(1);
        _buffer[_length++] = b;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            System.Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
    }
}
