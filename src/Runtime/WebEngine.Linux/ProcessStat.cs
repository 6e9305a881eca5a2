namespace WebEngine.Linux;

/// <summary>The fields of /proc/&lt;pid&gt;/stat that tell a live process from a dead one or a reused pid.</summary>
public readonly record struct ProcessStat(char State, ulong StartTime)
{
    /// <summary>Reads /proc/<paramref name="pid"/>/stat; null when no such process exists.</summary>
    public static ProcessStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessStat(fields[0][0], ulong.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture));
    }
}
