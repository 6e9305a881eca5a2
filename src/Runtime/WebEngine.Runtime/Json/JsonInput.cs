using System.Text.Json;

namespace WebEngine.Runtime.Json;

/// <summary>
/// Typed reads over <see cref="Utf8JsonReader"/> for the runtime's hand-written JSON readers. Each read expects
/// the reader on the value's first token and leaves it on the value's last; a value of the wrong type throws a
/// <see cref="JsonException"/> naming where it is (<c>process.user.uid: expected an integer in 0..4294967295</c>).
/// <c>where</c> is the path of the enclosing value, joined with the property name only when there is an error.
/// </summary>
public static class JsonInput
{
    /// <summary>config.json may hold comments (runc skips them too); nothing else is lenient.</summary>
    public static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Moves to the document's first token, which must start an object.</summary>
    public static Utf8JsonReader Open(ReadOnlySpan<byte> utf8, string what)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        if (!reader.Read())
            throw new JsonException($"{what}: the document is empty");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"{what}: expected an object, found {Describe(reader.TokenType)}");
        return reader;
    }

    /// <summary>After the document's object: only comments or white space may follow.</summary>
    public static void Close(ref Utf8JsonReader reader, string what)
    {
        if (reader.Read())
            throw new JsonException($"{what}: unexpected {Describe(reader.TokenType)} after the document");
    }

    /// <summary>Checks that the current token starts an object (null is refused: callers handle it first).</summary>
    public static void ExpectObject(ref Utf8JsonReader reader, string where)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Mismatch(ref reader, where, "an object");
    }

    /// <summary>Moves to the next property's value, naming it; false at the end of the object.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader, out string name)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            name = "";
            return false;
        }
        name = reader.GetString()!;
        reader.Read();
        return true;
    }

    /// <summary>Moves to the next array element; false at the end of the array.</summary>
    public static bool NextElement(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType != JsonTokenType.EndArray;
    }

    public static bool IsNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null;

    public static string String(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Mismatch(ref reader, where, name, "a string");

    public static string? StringOrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : String(ref reader, where, name);

    public static bool Bool(ref Utf8JsonReader reader, string where, string name) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Mismatch(ref reader, where, name, "true or false"),
    };

    public static bool? BoolOrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : Bool(ref reader, where, name);

    public static int Int32(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)
            ? value
            : throw Mismatch(ref reader, where, name, $"an integer in {int.MinValue}..{int.MaxValue}");

    public static int? Int32OrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : Int32(ref reader, where, name);

    public static uint UInt32(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var value)
            ? value
            : throw Mismatch(ref reader, where, name, $"an integer in 0..{uint.MaxValue}");

    public static uint? UInt32OrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : UInt32(ref reader, where, name);

    public static ushort? UInt16OrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null
        : reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var value) ? value
        : throw Mismatch(ref reader, where, name, $"an integer in 0..{ushort.MaxValue}");

    public static long Int64(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : throw Mismatch(ref reader, where, name, $"an integer in {long.MinValue}..{long.MaxValue}");

    public static long? Int64OrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : Int64(ref reader, where, name);

    public static ulong UInt64(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var value)
            ? value
            : throw Mismatch(ref reader, where, name, $"an integer in 0..{ulong.MaxValue}");

    public static ulong? UInt64OrNull(ref Utf8JsonReader reader, string where, string name) =>
        IsNull(ref reader) ? null : UInt64(ref reader, where, name);

    public static DateTime DateTime(ref Utf8JsonReader reader, string where, string name) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTime(out var value)
            ? value
            : throw Mismatch(ref reader, where, name, "an ISO 8601 date and time");

    /// <summary>An array of strings, or null.</summary>
    public static List<string>? Strings(ref Utf8JsonReader reader, string where, string name)
    {
        if (IsNull(ref reader))
            return null;
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Mismatch(ref reader, where, name, "an array of strings");
        var list = new List<string>();
        while (NextElement(ref reader))
            list.Add(String(ref reader, where, $"{name}[{list.Count}]"));
        return list;
    }

    /// <summary>An array of unsigned 32-bit integers, or null.</summary>
    public static List<uint>? UInt32s(ref Utf8JsonReader reader, string where, string name)
    {
        if (IsNull(ref reader))
            return null;
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Mismatch(ref reader, where, name, "an array of integers");
        var list = new List<uint>();
        while (NextElement(ref reader))
            list.Add(UInt32(ref reader, where, $"{name}[{list.Count}]"));
        return list;
    }

    /// <summary>An object whose values are all strings, or null.</summary>
    public static Dictionary<string, string>? StringMap(ref Utf8JsonReader reader, string where, string name)
    {
        if (IsNull(ref reader))
            return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Mismatch(ref reader, where, name, "an object of strings");
        var map = new Dictionary<string, string>();
        var path = Join(where, name);
        while (NextProperty(ref reader, out var key))
            map[key] = String(ref reader, path, key);
        return map;
    }

    /// <summary>An object of values the runtime only carries (linux.intelRdt, linux.memoryPolicy), kept as JSON.</summary>
    public static Dictionary<string, object?>? OpaqueMap(ref Utf8JsonReader reader, string where, string name)
    {
        if (IsNull(ref reader))
            return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Mismatch(ref reader, where, name, "an object");
        var map = new Dictionary<string, object?>();
        while (NextProperty(ref reader, out var key))
            map[key] = IsNull(ref reader) ? null : JsonElement.ParseValue(ref reader);
        return map;
    }

    public static string Join(string where, string name) => where.Length == 0 ? name : $"{where}.{name}";

    public static JsonException Mismatch(ref Utf8JsonReader reader, string where, string name, string expected) =>
        Mismatch(ref reader, Join(where, name), expected);

    private static JsonException Mismatch(ref Utf8JsonReader reader, string path, string expected) =>
        new($"{path}: expected {expected}, found {Describe(reader.TokenType)}");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
