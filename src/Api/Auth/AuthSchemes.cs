namespace WebEngine.Api.Auth;

/// <summary>The authentication schemes; "WebEngine" picks one of the others per request.</summary>
public static class AuthSchemes
{
    /// <summary>The default: the unix socket, a bearer token, or the sign-in cookie, in that order.</summary>
    public const string Default = "WebEngine";
    public const string UnixSocket = "UnixSocket";
    public const string Bearer = "Bearer";
    public const string Cookies = "Cookies";
}
