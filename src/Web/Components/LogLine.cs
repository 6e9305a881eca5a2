using WebEngine.Engine.Logs;

namespace WebEngine.Web.Components;

/// <summary>One line of a container's log as the logs tab shows it: its stream, time, and text split into ANSI colour spans.</summary>
public sealed class LogLine(long number, LogStream stream, DateTimeOffset time, string text)
{
    private IReadOnlyList<AnsiSpan>? _spans;

    /// <summary>1 for the first line received, so lines keep their identity when the view is filtered.</summary>
    public long Number { get; } = number;

    public LogStream Stream { get; } = stream;
    public DateTimeOffset Time { get; } = time;

    /// <summary>Without the trailing newline.</summary>
    public string Text { get; } = text;

    /// <summary>Parsed on first render: only the lines that scroll into view pay for it.</summary>
    public IReadOnlyList<AnsiSpan> Spans => _spans ??= AnsiText.Parse(Text);

    /// <summary>Searches the text as shown, without its escape sequences.</summary>
    public bool Contains(string search) =>
        (Text.Contains('\u001b') ? string.Concat(Spans.Select(s => s.Text)) : Text).Contains(search, StringComparison.OrdinalIgnoreCase);
}
