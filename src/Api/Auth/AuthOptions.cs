namespace WebEngine.Api.Auth;

/// <summary>The authentication settings of the "WebEngine" configuration section.</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// The password of the "admin" user created on first start (when no user exists); when unset, a random one is
    /// generated and written once to the daemon's log.
    /// </summary>
    public string? InitialAdminPassword { get; set; }

    /// <summary>Wrong passwords for one user name before sign-in is refused for a while (four times as many from one address).</summary>
    public int SignInFailureLimit { get; set; } = 5;

    /// <summary>The first lockout in seconds; it doubles with each further failure, up to 15 minutes.</summary>
    public int SignInLockoutSeconds { get; set; } = 30;
}
