namespace WebEngine.Api.Auth;

/// <summary>
/// The three roles, as role claims. Each role includes the ones below it: a principal carries a claim for its own role
/// and every lower one, so <c>[Authorize(Roles = Roles.Operator)]</c> admits admins too.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Lowest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static bool IsKnown(string? role) => role is Viewer or Operator or Admin;

    /// <summary>The role and every role it includes.</summary>
    public static IEnumerable<string> Including(string role) => All.Take(Rank(role) + 1);

    /// <summary>0 for viewer, 1 for operator, 2 for admin.</summary>
    public static int Rank(string role) => role switch
    {
        Viewer => 0,
        Operator => 1,
        Admin => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };
}
