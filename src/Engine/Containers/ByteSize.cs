using System.Globalization;
using System.Text.RegularExpressions;

namespace WebEngine.Engine.Containers;

/// <summary>Sizes as Docker's command line writes them (its RAMInBytes): "64m", "1.5g", "512".</summary>
public static partial class ByteSize
{
    /// <summary>A number with an optional b, k, m, g or t suffix (binary units), or null when the text is not one.</summary>
    public static long? Parse(string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return null;
        var multiplier = char.ToLowerInvariant(match.Groups[2].Value.FirstOrDefault('b')) switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            _ => 1L,
        };
        return (long)(value * multiplier);
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)\\s*([bkmgtBKMGT]?)[bB]?$")]
    private static partial Regex Pattern();
}
