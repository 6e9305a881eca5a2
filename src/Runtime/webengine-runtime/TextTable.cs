using System.Text;

namespace WebEngine.Runtime.Cli;

/// <summary>Left-aligned columns separated by spaces, like runc's tabwriter output.</summary>
public static class TextTable
{
    public static string Format(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 3));
            text.Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }
}
