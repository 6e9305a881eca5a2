using WebEngine.Engine;
using WebEngine.Engine.Build;

namespace WebEngine.Engine.Tests.Build;

/// <summary>The Dockerfile syntax the classic builder reads, and its variable substitution.</summary>
public sealed class DockerfileTests
{
    [Fact]
    public void Comments_continuations_flags_and_the_two_command_forms_are_parsed()
    {
        var dockerfile = Dockerfile.Parse("""
            # syntax is ignored
            FROM busybox AS base
            # a comment inside
            RUN echo one \
              # a comment in a continuation is dropped
              two
            copy --chown=1:2 --from=base /a /b
            CMD ["sh", "-c", "echo hi"]
            ENTRYPOINT echo not json [
            """);
        var instructions = dockerfile.Instructions;
        Assert.Equal(["FROM", "RUN", "COPY", "CMD", "ENTRYPOINT"], instructions.Select(i => i.Keyword));
        Assert.Equal("echo one   two", instructions[1].Arguments);
        Assert.Equal(4, instructions[1].Line);
        Assert.Equal("1:2", instructions[2].Flags["chown"]);
        Assert.Equal("base", instructions[2].Flags["from"]);
        Assert.Equal("/a /b", instructions[2].Arguments);
        Assert.Equal(["sh", "-c", "echo hi"], instructions[3].JsonArguments!);
        Assert.Null(instructions[4].JsonArguments);
    }

    [Fact]
    public void The_escape_directive_makes_the_backtick_the_continuation_character()
    {
        var dockerfile = Dockerfile.Parse("# escape=`\nFROM busybox\nRUN dir c:\\ `\n  /w\n");
        Assert.Equal('`', dockerfile.Escape);
        Assert.Equal("dir c:\\   /w", dockerfile.Instructions[1].Arguments);
        Assert.Equal("invalid ESCAPE 'x'. Must be ` or \\", Assert.Throws<InvalidArgumentException>(() => Dockerfile.Parse("# escape=x\nFROM a\n")).Message);
    }

    [Fact]
    public void An_unknown_instruction_is_dockerds_parse_error()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => Dockerfile.Parse("FROM busybox\n\nFOO bar\n"));
        Assert.Equal("dockerfile parse error on line 3: unknown instruction: FOO", error.Message);
    }

    [Fact]
    public void Substitution_follows_the_shell_forms_and_quotes()
    {
        var values = new Dictionary<string, string> { ["NAME"] = "web", ["EMPTY"] = "" };
        var words = new ShellWords('\\', n => values.GetValueOrDefault(n));
        Assert.Equal("web-web", words.Word("$NAME-${NAME}"));
        Assert.Equal("fallback", words.Word("${MISSING:-fallback}"));
        Assert.Equal("fallback", words.Word("${EMPTY:-fallback}"));
        Assert.Equal("", words.Word("${EMPTY-fallback}"));
        Assert.Equal("set", words.Word("${NAME:+set}"));
        Assert.Equal("", words.Word("${MISSING:+set}"));
        Assert.Equal("$NAME", words.Word("'$NAME'"));
        Assert.Equal("$NAME", words.Word("\\$NAME"));
        Assert.Equal("a web b", words.Word("\"a $NAME b\""));
        Assert.Equal(["one", "two words", "web"], words.Words("one \"two words\" $NAME"));
    }
}
