using System.Text.RegularExpressions;

namespace WebEngine.Engine.Containers;

/// <summary>Docker's container name rules: a leading '/' is optional, then <c>[a-zA-Z0-9][a-zA-Z0-9_.-]+</c>.</summary>
public static partial class ContainerName
{
    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    /// <summary>Returns the name without its leading '/', or throws if Docker would refuse it.</summary>
    public static string Normalize(string name)
    {
        if (!ValidName().IsMatch(name))
            throw new InvalidArgumentException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        return name.TrimStart('/');
    }

    public static bool IsValid(string name) => ValidName().IsMatch(name);
}
