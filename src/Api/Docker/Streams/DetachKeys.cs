using WebEngine.Engine;

namespace WebEngine.Api.Docker.Streams;

/// <summary>
/// The key sequence that detaches a client from an attach or exec stream (Docker's `detachKeys`, default
/// `ctrl-p,ctrl-q`): a comma-separated list of single characters or `ctrl-&lt;a-z@[\]^_&gt;`.
/// </summary>
public sealed class DetachKeys
{
    public const string DefaultText = "ctrl-p,ctrl-q";

    private DetachKeys(byte[] sequence) => Sequence = sequence;

    public static DetachKeys Default { get; } = Parse(DefaultText);

    public IReadOnlyList<byte> Sequence { get; }

    /// <summary>Parses the query value; empty means the default. Anything else malformed is a 400, as in Moby.</summary>
    public static DetachKeys Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Default;
        var keys = new List<byte>();
        foreach (var key in text.Split(','))
        {
            if (key.Length == 1 && key[0] < 0x80)
                keys.Add((byte)key[0]);
            else if (key.Length == 6 && key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && Control(char.ToLowerInvariant(key[5])) is { } control)
                keys.Add(control);
            else
                throw new InvalidArgumentException($"Invalid detach keys ({text}) provided");
        }
        return new DetachKeys([.. keys]);
    }

    /// <summary>A filter for one client's input: passes bytes through, holding back a partial match of the sequence.</summary>
    public DetachKeyFilter NewFilter() => new((byte[])Sequence);

    private static byte? Control(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };
}

/// <summary>
/// Watches a client's input for the detach sequence. Bytes that could be the start of the sequence are held until the
/// next bytes show whether they are; held bytes that turn out not to be are passed on, in order.
/// </summary>
public sealed class DetachKeyFilter(byte[] sequence)
{
    private readonly List<byte> _held = new(sequence.Length);

    /// <summary>Appends to <paramref name="passed"/> what goes on to the process; true when the whole sequence was seen (then stop).</summary>
    public bool Filter(ReadOnlySpan<byte> input, List<byte> passed)
    {
        foreach (var b in input)
        {
            _held.Add(b);
            // Keep the longest tail of what is held that can still become the sequence.
            while (_held.Count > 0 && !sequence.AsSpan().StartsWith(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_held)))
            {
                passed.Add(_held[0]);
                _held.RemoveAt(0);
            }
            if (_held.Count == sequence.Length)
                return true;
        }
        return false;
    }
}
