using System.Text.RegularExpressions;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images;

/// <summary>
/// A normalized image reference, as Docker's reference package parses it: `busybox` is
/// docker.io/library/busybox:latest, `host:port/repo@sha256:...` keeps its registry and digest.
/// </summary>
public sealed partial record ImageReference(string Domain, string Path, string? Tag, Digest? Digest)
{
    public const string DockerHubDomain = "docker.io";
    public const string DefaultTag = "latest";

    /// <summary>docker.io/library/busybox (no tag or digest).</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>busybox for Docker Hub official images, otherwise the full repository.</summary>
    public string FamiliarRepository =>
        Domain != DockerHubDomain ? Repository : Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path[8..] : Path;

    /// <summary>The host to talk to: Docker Hub's registry lives at registry-1.docker.io.</summary>
    public string RegistryHost => Domain == DockerHubDomain ? "registry-1.docker.io" : Domain;

    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>busybox:latest, or 127.0.0.1:5000/x@sha256:...: what `docker images` shows.</summary>
    public string ToFamiliarString() =>
        FamiliarRepository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public ImageReference WithTag(string tag) => this with { Tag = tag, Digest = null };

    public ImageReference WithDigest(Digest digest) => this with { Tag = null, Digest = digest };

    /// <summary>Parses and normalizes; a reference with neither tag nor digest gets :latest.</summary>
    public static ImageReference ParseNormalized(string value)
    {
        var reference = Parse(value);
        return reference.Tag is null && reference.Digest is null ? reference with { Tag = DefaultTag } : reference;
    }

    /// <summary>Parses and normalizes the domain and path, leaving tag and digest as given.</summary>
    public static ImageReference Parse(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 255 * 2)
            throw new InvalidArgumentException($"invalid reference format: \"{value}\"");
        var rest = value;
        Digest? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Content.Digest.TryParse(rest[(at + 1)..], out var d))
                throw new InvalidArgumentException($"invalid reference format: \"{value}\": bad digest");
            digest = d;
            rest = rest[..at];
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
                throw new InvalidArgumentException($"invalid reference format: \"{value}\": bad tag \"{tag}\"");
        }
        string domain;
        string path;
        var slash = rest.IndexOf('/');
        var first = slash < 0 ? "" : rest[..slash];
        if (slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost" || first != first.ToLowerInvariant()))
        {
            domain = first;
            path = rest[(slash + 1)..];
        }
        else
        {
            domain = DockerHubDomain;
            path = rest;
        }
        if (domain == "index.docker.io")
            domain = DockerHubDomain;
        if (domain == DockerHubDomain && !path.Contains('/'))
            path = "library/" + path;
        if (!DomainPattern().IsMatch(domain))
            throw new InvalidArgumentException($"invalid reference format: \"{value}\": bad registry \"{domain}\"");
        if (path != path.ToLowerInvariant())
            throw new InvalidArgumentException($"invalid reference format: \"{value}\": repository name must be lowercase");
        if (!PathPattern().IsMatch(path) || domain.Length + 1 + path.Length > 255)
            throw new InvalidArgumentException($"invalid reference format: \"{value}\"");
        return new ImageReference(domain, path, tag, digest);
    }

    /// <summary>True for a string that is a (possibly short) hex image id rather than a name.</summary>
    public static bool LooksLikeId(string value)
    {
        var hex = value.StartsWith("sha256:", StringComparison.Ordinal) ? value[7..] : value;
        return hex.Length is >= 4 and <= 64 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
    }

    /// <summary>Whether <paramref name="tag"/> is a tag by Docker's reference grammar (ASCII letters, digits, _ . -; at most 128).</summary>
    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();
}
