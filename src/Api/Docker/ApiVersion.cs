using System.Diagnostics.CodeAnalysis;

namespace WebEngine.Api.Docker;

/// <summary>A Docker Engine API version ("1.50"), compared numerically.</summary>
public readonly record struct ApiVersion(int Major, int Minor) : IComparable<ApiVersion>
{
    /// <summary>The oldest version served, as Moby's default MinAPIVersion.</summary>
    public static readonly ApiVersion Minimum = new(1, 24);

    /// <summary>The version advertised in `Api-Version` and assumed for unversioned paths.</summary>
    public static readonly ApiVersion Current = new(1, 50);

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out ApiVersion? version)
    {
        version = null;
        var dot = text.IndexOf('.');
        if (dot <= 0 || !int.TryParse(text[..dot], out var major) || !int.TryParse(text[(dot + 1)..], out var minor)
            || major < 0 || minor < 0)
            return false;
        version = new ApiVersion(major, minor);
        return true;
    }

    public int CompareTo(ApiVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ApiVersion a, ApiVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(ApiVersion a, ApiVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(ApiVersion a, ApiVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ApiVersion a, ApiVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}";
}
