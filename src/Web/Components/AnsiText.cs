using System.Globalization;
using System.Text;

namespace WebEngine.Web.Components;

/// <summary>A run of text with one set of SGR attributes.</summary>
/// <param name="Css">Class names (ansi-fg-N, ansi-bg-N, ansi-bold, ansi-underline) or empty.</param>
/// <param name="Style">Inline colours for 256-colour and true-colour codes, or empty.</param>
public sealed record AnsiSpan(string Text, string Css, string Style);

/// <summary>
/// Terminal output to coloured spans: SGR sequences (ESC [ ... m) with the 16 colours, 256 colours and 24-bit colours,
/// bold and underline; every other escape or control sequence is dropped so it never shows as garbage.
/// </summary>
public static class AnsiText
{
    private const char Escape = '\u001b';

    public static IReadOnlyList<AnsiSpan> Parse(string text)
    {
        if (text.IndexOf(Escape) < 0)
            return [new AnsiSpan(StripControls(text), "", "")];
        var spans = new List<AnsiSpan>();
        var state = new SgrState();
        var run = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != Escape)
            {
                if (!char.IsControl(text[i]) || text[i] == '\t')
                    run.Append(text[i]);
                i++;
                continue;
            }
            var (end, final, parameters) = ReadSequence(text, i);
            if (final == 'm')
            {
                Flush(spans, run, state);
                state.Apply(parameters);
            }
            i = end;
        }
        Flush(spans, run, state);
        return spans;
    }

    private static void Flush(List<AnsiSpan> spans, StringBuilder run, SgrState state)
    {
        if (run.Length == 0)
            return;
        spans.Add(new AnsiSpan(run.ToString(), state.Css(), state.Style()));
        run.Clear();
    }

    /// <summary>Where the escape sequence at <paramref name="start"/> ends, its final byte for CSI sequences, and its parameters.</summary>
    private static (int End, char Final, string Parameters) ReadSequence(string text, int start)
    {
        if (start + 1 >= text.Length)
            return (text.Length, '\0', "");
        if (text[start + 1] != '[')
        {
            // OSC (ESC ]) ends at BEL or ST; other two-character escapes end at once.
            if (text[start + 1] == ']')
            {
                var bel = text.IndexOf('\a', start);
                var st = text.IndexOf("\u001b\\", start + 2, StringComparison.Ordinal);
                var end = new[] { bel < 0 ? int.MaxValue : bel + 1, st < 0 ? int.MaxValue : st + 2 }.Min();
                return (end == int.MaxValue ? text.Length : end, '\0', "");
            }
            return (start + 2, '\0', "");
        }
        var i = start + 2;
        while (i < text.Length && text[i] is >= '\u0030' and <= '\u003f')
            i++;
        while (i < text.Length && text[i] is >= '\u0020' and <= '\u002f')
            i++;
        if (i >= text.Length)
            return (text.Length, '\0', "");
        return (i + 1, text[i], text[(start + 2)..i]);
    }

    private static string StripControls(string text)
    {
        if (!text.Any(c => char.IsControl(c) && c != '\t'))
            return text;
        return string.Concat(text.Where(c => !char.IsControl(c) || c == '\t'));
    }

    private sealed class SgrState
    {
        private int? _foreground;
        private int? _background;
        private string? _foregroundRgb;
        private string? _backgroundRgb;
        private bool _bold;
        private bool _underline;

        public void Apply(string parameters)
        {
            var codes = parameters.Length == 0 ? [0] : parameters.Split(';').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
            for (var i = 0; i < codes.Length; i++)
            {
                var code = codes[i];
                switch (code)
                {
                    case 0: _foreground = _background = null; _foregroundRgb = _backgroundRgb = null; _bold = _underline = false; break;
                    case 1: _bold = true; break;
                    case 4: _underline = true; break;
                    case 22: _bold = false; break;
                    case 24: _underline = false; break;
                    case >= 30 and <= 37: _foreground = code - 30; _foregroundRgb = null; break;
                    case >= 90 and <= 97: _foreground = code - 90 + 8; _foregroundRgb = null; break;
                    case 39: _foreground = null; _foregroundRgb = null; break;
                    case >= 40 and <= 47: _background = code - 40; _backgroundRgb = null; break;
                    case >= 100 and <= 107: _background = code - 100 + 8; _backgroundRgb = null; break;
                    case 49: _background = null; _backgroundRgb = null; break;
                    case 38 or 48:
                        var (colour, used) = ExtendedColour(codes, i + 1);
                        i += used;
                        if (code == 38) { _foregroundRgb = colour; _foreground = null; }
                        else { _backgroundRgb = colour; _background = null; }
                        break;
                }
            }
        }

        public string Css()
        {
            var parts = new List<string>(4);
            if (_foreground is { } fg)
                parts.Add("ansi-fg-" + fg.ToString(CultureInfo.InvariantCulture));
            if (_background is { } bg)
                parts.Add("ansi-bg-" + bg.ToString(CultureInfo.InvariantCulture));
            if (_bold)
                parts.Add("ansi-bold");
            if (_underline)
                parts.Add("ansi-underline");
            return string.Join(' ', parts);
        }

        public string Style() =>
            (_foregroundRgb is null ? "" : $"color:{_foregroundRgb};") + (_backgroundRgb is null ? "" : $"background-color:{_backgroundRgb};");

        /// <summary>5;n (the 256-colour palette) or 2;r;g;b; returns the CSS colour and how many codes it took.</summary>
        private static (string? Colour, int Used) ExtendedColour(int[] codes, int at)
        {
            if (at < codes.Length && codes[at] == 5 && at + 1 < codes.Length)
                return (Palette256(codes[at + 1]), 2);
            if (at < codes.Length && codes[at] == 2 && at + 3 < codes.Length)
                return ($"rgb({Clamp(codes[at + 1])},{Clamp(codes[at + 2])},{Clamp(codes[at + 3])})", 4);
            return (null, codes.Length - at);
        }

        private static int Clamp(int v) => Math.Clamp(v, 0, 255);

        private static string Palette256(int n)
        {
            n = Clamp(n);
            string[] basic = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
                "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];
            if (n < 16)
                return basic[n];
            if (n >= 232)
            {
                var grey = 8 + (n - 232) * 10;
                return $"rgb({grey},{grey},{grey})";
            }
            n -= 16;
            static int Level(int v) => v == 0 ? 0 : 55 + v * 40;
            return $"rgb({Level(n / 36)},{Level(n / 6 % 6)},{Level(n % 6)})";
        }
    }
}
