using System.Text;

namespace WebEngine.Engine.Build;

/// <summary>
/// The builder's variable substitution and word splitting, as the classic builder does it for ADD, COPY, ENV, EXPOSE,
/// FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
/// ${VAR:+alternative}, ${VAR+alternative}; single quotes keep text literal, double quotes keep spaces and allow
/// substitution, the escape character makes the next character literal; quotes are removed.
/// </summary>
public sealed class ShellWords(char escape, Func<string, string?> lookup)
{
    /// <summary>The text as one word, substituted and unquoted (spaces kept).</summary>
    public string Word(string text) => string.Concat(Process(text, split: false));

    /// <summary>The text split on unquoted white space into words, each substituted and unquoted.</summary>
    public List<string> Words(string text) => Process(text, split: true);

    private List<string> Process(string text, bool split)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (split && char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                i++;
                continue;
            }
            inWord = true;
            if (c == escape)
            {
                if (i + 1 < text.Length)
                    word.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '\'')
            {
                var close = text.IndexOf('\'', i + 1);
                if (close < 0)
                    throw new InvalidArgumentException($"unexpected end of statement while looking for matching single-quote in \"{text}\"");
                word.Append(text, i + 1, close - i - 1);
                i = close + 1;
            }
            else if (c == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new InvalidArgumentException($"unexpected end of statement while looking for matching double-quote in \"{text}\"");
                    if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    if (text[i] == escape && i + 1 < text.Length && (text[i + 1] is '"' or '$' || text[i + 1] == escape))
                    {
                        word.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '$')
                        i = Substitute(text, i, word);
                    else
                        word.Append(text[i++]);
                }
            }
            else if (c == '$')
                i = Substitute(text, i, word);
            else
            {
                word.Append(c);
                i++;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    /// <summary>Substitutes the variable at text[start] ('$') into <paramref name="output"/>; returns the index after it.</summary>
    private int Substitute(string text, int start, StringBuilder output)
    {
        var i = start + 1;
        if (i >= text.Length)
        {
            output.Append('$');
            return i;
        }
        if (text[i] == '{')
        {
            var close = text.IndexOf('}', i);
            if (close < 0)
                throw new InvalidArgumentException($"missing '}}' in \"{text}\"");
            var body = text[(i + 1)..close];
            var name = new string(body.TakeWhile(ch => char.IsLetterOrDigit(ch) || ch == '_').ToArray());
            if (name.Length == 0)
                throw new InvalidArgumentException($"bad substitution: ${{{body}}}");
            var modifier = body[name.Length..];
            var value = lookup(name);
            output.Append(modifier switch
            {
                "" => value ?? "",
                _ when modifier.StartsWith(":-", StringComparison.Ordinal) => string.IsNullOrEmpty(value) ? Word(modifier[2..]) : value,
                _ when modifier.StartsWith(":+", StringComparison.Ordinal) => string.IsNullOrEmpty(value) ? "" : Word(modifier[2..]),
                _ when modifier.StartsWith('-') => value ?? Word(modifier[1..]),
                _ when modifier.StartsWith('+') => value is null ? "" : Word(modifier[1..]),
                _ => throw new InvalidArgumentException($"unsupported modifier ({modifier[0]}) in substitution: ${{{body}}}"),
            });
            return close + 1;
        }
        var end = i;
        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
            end++;
        if (end == i)
        {
            output.Append('$');
            return i;
        }
        output.Append(lookup(text[i..end]) ?? "");
        return end;
    }
}
