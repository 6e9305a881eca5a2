using System.Security.Claims;
using WebEngine.Engine;

namespace WebEngine.Api.Auth;

/// <summary>
/// Whose API tokens a caller may manage, for the REST endpoints and the dashboard alike: every user their own; an admin
/// anyone's; the unix socket's principal, which has no tokens of its own, must name a user.
/// </summary>
public static class TokenOwner
{
    /// <summary>The user whose tokens the caller means: their own, or (admins only) <paramref name="named"/>.</summary>
    public static string Resolve(ClaimsPrincipal principal, string? named)
    {
        if (!string.IsNullOrEmpty(named) && named != principal.Identity?.Name)
        {
            if (!principal.IsInRole(Roles.Admin))
                throw new PermissionDeniedException("permission denied: only an admin may manage another user's tokens");
            return named;
        }
        if (principal.UserId() is null)
            throw new InvalidArgumentException($"{principal.Identity?.Name} has no tokens of its own: name a user (\"User\" in the body, ?user= in the query)");
        return principal.Identity!.Name!;
    }

    /// <summary>The owner a revocation is limited to: null (any token) for an admin, else the caller's own id.</summary>
    public static long? RevocationScope(ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin) ? null : principal.UserId();
}
