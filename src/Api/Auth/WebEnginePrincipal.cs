using System.Globalization;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace WebEngine.Api.Auth;

/// <summary>The claims a signed-in principal carries, and who is behind a request.</summary>
public static class WebEnginePrincipal
{
    public const string UnixSocketName = "root (unix socket)";
    public const string SecurityStampClaim = "webengine:security-stamp";
    public const string TokenIdClaim = "webengine:token";

    /// <summary>A database user, with role claims for their role and every role below it.</summary>
    public static ClaimsPrincipal ForUser(UserInfo user, string scheme, string? securityStamp = null, long? tokenId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Name),
        };
        claims.AddRange(Roles.Including(user.Role).Select(role => new Claim(ClaimTypes.Role, role)));
        if (securityStamp is not null)
            claims.Add(new Claim(SecurityStampClaim, securityStamp));
        if (tokenId is { } id)
            claims.Add(new Claim(TokenIdClaim, id.ToString(CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>Whoever may open the unix socket (root, or its group): an admin with no database row.</summary>
    public static ClaimsPrincipal UnixSocketRoot() => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, UnixSocketName), .. Roles.All.Select(role => new Claim(ClaimTypes.Role, role))],
        AuthSchemes.UnixSocket, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>The database id of the signed-in user; null for the unix socket principal or nobody.</summary>
    public static long? UserId(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The highest role the principal has; null when it has none.</summary>
    public static string? Role(this ClaimsPrincipal principal) => Roles.All.LastOrDefault(principal.IsInRole);

    /// <summary>
    /// True when the request came in on a unix socket listener. Decided by the connection's local endpoint, which a
    /// client cannot forge (unlike any header).
    /// </summary>
    public static bool CameThroughUnixSocket(this HttpContext context) =>
        (context.Features.Get<IConnectionEndPointFeature>()?.LocalEndPoint
         ?? context.Features.Get<IConnectionSocketFeature>()?.Socket.LocalEndPoint) is UnixDomainSocketEndPoint;
}
