using System.Text.Json;

namespace WebEngine.Runtime.Json;

/// <summary>
/// Writes for the runtime's hand-written JSON writers, with the conventions the source-generated contexts had:
/// null values are left out (nullable properties only), lists and maps are written as they are.
/// </summary>
public static class JsonOutput
{
    public static void StringIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (value != null)
            w.WriteString(name, value);
    }

    public static void NumberIfSet(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
    }

    public static void NumberIfSet(Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
    }

    public static void BoolIfSet(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
            w.WriteBoolean(name, v);
    }

    public static void StringsIfSet(Utf8JsonWriter w, string name, List<string>? values)
    {
        if (values == null)
            return;
        w.WriteStartArray(name);
        foreach (var value in values)
            w.WriteStringValue(value);
        w.WriteEndArray();
    }

    public static void StringMapIfSet(Utf8JsonWriter w, string name, Dictionary<string, string>? map)
    {
        if (map == null)
            return;
        w.WriteStartObject(name);
        foreach (var (key, value) in map)
            w.WriteString(key, value);
        w.WriteEndObject();
    }

    /// <summary>Values the runtime only carries: as read by <see cref="JsonInput.OpaqueMap"/>, JSON elements or null.</summary>
    public static void OpaqueMapIfSet(Utf8JsonWriter w, string name, Dictionary<string, object?>? map)
    {
        if (map == null)
            return;
        w.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            w.WritePropertyName(key);
            switch (value)
            {
                case null: w.WriteNullValue(); break;
                case JsonElement element: element.WriteTo(w); break;
                default: throw new InvalidOperationException($"{name}.{key}: a {value.GetType().Name} cannot be written as JSON here");
            }
        }
        w.WriteEndObject();
    }

    /// <summary>A list of objects, each written by <paramref name="write"/>.</summary>
    public static void ListIfSet<T>(Utf8JsonWriter w, string name, List<T>? items, Action<Utf8JsonWriter, T> write)
    {
        if (items == null)
            return;
        w.WriteStartArray(name);
        foreach (var item in items)
            write(w, item);
        w.WriteEndArray();
    }

    /// <summary>A map of objects, each written by <paramref name="write"/>.</summary>
    public static void MapIfSet<T>(Utf8JsonWriter w, string name, Dictionary<string, T>? map, Action<Utf8JsonWriter, T> write)
    {
        if (map == null)
            return;
        w.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            w.WritePropertyName(key);
            write(w, value);
        }
        w.WriteEndObject();
    }

    /// <summary>Runs <paramref name="write"/> on a writer and returns the UTF-8 it wrote.</summary>
    public static byte[] ToUtf8(Action<Utf8JsonWriter> write, bool indented = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            write(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
