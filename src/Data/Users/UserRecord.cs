namespace WebEngine.Data.Users;

/// <summary>A person or program that signs in on the HTTP listener, with one role (viewer, operator or admin).</summary>
public sealed class UserRecord
{
    public long Id { get; set; }

    /// <summary>The sign-in name, unique (compared as stored: names are validated lower-case by the user service).</summary>
    public required string Name { get; set; }

    /// <summary>ASP.NET Core Identity's PasswordHasher format (PBKDF2 with a per-user salt).</summary>
    public required string PasswordHash { get; set; }

    public required string Role { get; set; }

    /// <summary>Changes whenever the password or role changes or the user is disabled, so older sign-in cookies stop working.</summary>
    public required string SecurityStamp { get; set; }

    public DateTime CreatedUtc { get; set; }

    public List<ApiTokenRecord> Tokens { get; set; } = [];
}
