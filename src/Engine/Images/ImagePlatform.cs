using WebEngine.Engine.Images.Model;

namespace WebEngine.Engine.Images;

/// <summary>
/// An image platform (os/architecture/variant) in the normalized form containerd's platforms package gives it, so that
/// "linux/aarch64", "arm64" and "linux/arm64/v8" are one platform and messages print it as Docker does.
/// </summary>
public sealed record ImagePlatform(string Os, string Architecture, string? Variant)
{
    /// <summary>Parses docker's --platform value: os[/arch[/variant]], or a lone os or architecture (the other part is the host's).</summary>
    public static ImagePlatform Parse(string value, string hostArchitecture)
    {
        var parts = value.Trim().ToLowerInvariant().Split('/');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            throw new InvalidArgumentException($"\"{value}\": unknown operating system or architecture: invalid argument");
        if (parts.Length == 1)
            return IsOs(parts[0]) ? Normalize(parts[0], hostArchitecture, null) : Normalize("linux", parts[0], null);
        return Normalize(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }

    /// <summary>The platform an index entry or image config declares, normalized.</summary>
    public static ImagePlatform Of(string? os, string? architecture, string? variant) =>
        Normalize((os ?? "").ToLowerInvariant(), (architecture ?? "").ToLowerInvariant(), string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant());

    public static ImagePlatform Of(OciPlatform platform) => Of(platform.Os, platform.Architecture, platform.Variant);

    /// <summary>Whether an image of <paramref name="other"/> satisfies a request for this platform (an arm request also takes older arm variants).</summary>
    public bool Accepts(ImagePlatform other)
    {
        if (other.Os != Os || other.Architecture != Architecture)
            return false;
        if (other.Variant == Variant)
            return true;
        return Architecture == "arm" && ArmVariants.IndexOf(other.Variant ?? "") is var offered and >= 0 && offered <= ArmVariants.IndexOf(Variant ?? "");
    }

    /// <summary>os/arch[/variant], as containerd formats a platform.</summary>
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    private static readonly List<string> ArmVariants = ["v5", "v6", "v7", "v8"];

    private static bool IsOs(string value) => value is "linux" or "windows" or "darwin" or "freebsd" or "netbsd" or "openbsd" or "solaris" or "illumos";

    private static ImagePlatform Normalize(string os, string architecture, string? variant)
    {
        os = os == "macos" ? "darwin" : os;
        (architecture, variant) = (architecture, variant) switch
        {
            ("i386", _) => ("386", null),
            ("x86_64" or "x86-64" or "amd64", "v1") => ("amd64", null),
            ("x86_64" or "x86-64" or "amd64", _) => ("amd64", variant),
            ("aarch64" or "arm64", null or "8" or "v8") => ("arm64", "v8"),
            ("aarch64" or "arm64", _) => ("arm64", variant),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", null or "7") => ("arm", "v7"),
            ("arm", "5" or "6" or "8") => ("arm", "v" + variant),
            _ => (architecture, variant),
        };
        return new ImagePlatform(os, architecture, variant);
    }
}
