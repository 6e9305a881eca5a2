using System.Security.Cryptography;
using System.Text;

namespace WebEngine.Engine.Images.Content;

/// <summary>A sha256 content digest, "sha256:" followed by 64 lowercase hex digits.</summary>
public readonly record struct Digest
{
    private const string Prefix = "sha256:";

    private Digest(string hex) => Hex = hex;

    public string Hex { get; }

    public override string ToString() => Prefix + Hex;

    public static Digest Parse(string value)
    {
        if (TryParse(value, out var digest))
            return digest;
        throw new InvalidArgumentException($"invalid digest \"{value}\": only sha256:<64 lowercase hex digits> is supported");
    }

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal) || value.Length != Prefix.Length + 64)
            return false;
        foreach (var c in value.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
                return false;
        }
        digest = new Digest(value[Prefix.Length..]);
        return true;
    }

    public static Digest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static Digest Of(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    public static Digest Of(string text) => Of(Encoding.UTF8.GetBytes(text));
}
