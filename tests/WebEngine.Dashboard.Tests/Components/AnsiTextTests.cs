using WebEngine.Web.Components;

namespace WebEngine.Dashboard.Tests.Components;

public sealed class AnsiTextTests
{
    [Fact]
    public void Plain_text_is_one_span_without_classes() =>
        Assert.Equal([new AnsiSpan("hello", "", "")], AnsiText.Parse("hello"));

    [Fact]
    public void Sgr_colours_and_bold_become_classes_and_reset_ends_them()
    {
        var spans = AnsiText.Parse("a\u001b[1;31mred\u001b[0m b\u001b[92mgreen");
        Assert.Equal(
        [
            new AnsiSpan("a", "", ""), new AnsiSpan("red", "ansi-fg-1 ansi-bold", ""), new AnsiSpan(" b", "", ""), new AnsiSpan("green", "ansi-fg-10", ""),
        ], spans);
    }

    [Fact]
    public void Extended_colours_become_inline_styles()
    {
        var spans = AnsiText.Parse("\u001b[38;2;1;2;3mx\u001b[48;5;196my");
        Assert.Equal("color:rgb(1,2,3);", spans[0].Style);
        Assert.Equal("color:rgb(1,2,3);background-color:rgb(255,0,0);", spans[1].Style);
    }

    [Fact]
    public void Other_escapes_and_control_characters_are_dropped()
    {
        var spans = AnsiText.Parse("\u001b[2K\u001b]0;title\u0007done\r\u0008!");
        Assert.Equal("done!", string.Concat(spans.Select(s => s.Text)));
    }

    [Fact]
    public void A_truncated_escape_at_the_end_is_dropped() =>
        Assert.Equal("ok", string.Concat(AnsiText.Parse("ok\u001b[31").Select(s => s.Text)));
}
