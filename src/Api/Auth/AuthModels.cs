namespace WebEngine.Api.Auth;

/// <summary>POST /webengine/users.</summary>
public sealed record CreateUserRequest(string? Name, string? Password, string? Role);

/// <summary>PATCH /webengine/users/{name}: the fields given are changed.</summary>
public sealed record UpdateUserRequest(string? Password, string? Role);

/// <summary>POST /webengine/me/password.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>POST /webengine/tokens; User only for admins creating a token for someone else.</summary>
public sealed record CreateTokenRequest(string? Name, string? User);

public sealed record UserResponse(string Name, string Role, DateTime Created)
{
    public static UserResponse From(UserInfo user) => new(user.Name, user.Role, user.CreatedUtc);
}

/// <summary>GET /webengine/me: who the request is authenticated as, and how.</summary>
public sealed record CurrentUserResponse(string Name, string Role, string AuthenticatedBy);

public sealed record TokenResponse(long Id, string Name, string User, string Prefix, DateTime Created, DateTime? LastUsed)
{
    public static TokenResponse From(ApiTokenInfo token) => new(token.Id, token.Name, token.User, token.Prefix, token.CreatedUtc, token.LastUsedUtc);
}

/// <summary>The answer to POST /webengine/tokens: the only time the secret is shown.</summary>
public sealed record CreatedTokenResponse(long Id, string Name, string User, string Prefix, DateTime Created, string Token);
