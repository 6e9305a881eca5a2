namespace WebEngine.Engine.Images.Layers;

/// <summary>Validates the names inside a layer tar: relative, no `..`, so every entry stays inside the layer.</summary>
internal static class LayerPath
{
    /// <summary>The entry name as a clean relative path ("" for the root), or an error for an absolute or escaping name.</summary>
    public static string Normalize(string name, string layer)
    {
        if (name.StartsWith('/'))
            throw new InvalidArgumentException($"layer {layer}: entry \"{name}\" has an absolute path");
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
                throw new InvalidArgumentException($"layer {layer}: entry \"{name}\" climbs out of the layer with \"..\"");
            if (part.Contains('\0'))
                throw new InvalidArgumentException($"layer {layer}: entry \"{name}\" has a NUL byte");
            parts.Add(part);
        }
        return string.Join('/', parts);
    }
}
