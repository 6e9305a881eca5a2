using System.Globalization;

namespace WebEngine.Web.Components;

/// <summary>Sizes as people read them (docker's units: 1 KB = 1000 B for images, 1 KiB = 1024 B for memory).</summary>
public static class Bytes
{
    public static string Binary(long bytes) => Format(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB"]);

    public static string Decimal(long bytes) => Format(bytes, 1000, ["B", "kB", "MB", "GB", "TB"]);

    private static string Format(long bytes, double unit, string[] names)
    {
        double value = bytes;
        var i = 0;
        while (Math.Abs(value) >= unit && i < names.Length - 1)
        {
            value /= unit;
            i++;
        }
        return i == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + " " + names[i];
    }
}
