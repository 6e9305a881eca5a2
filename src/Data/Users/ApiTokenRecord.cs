namespace WebEngine.Data.Users;

/// <summary>An API token of one user: only the SHA-256 of its secret is stored; the secret is shown once, at creation.</summary>
public sealed class ApiTokenRecord
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public UserRecord? User { get; set; }

    /// <summary>What the user called it ("ci", "laptop").</summary>
    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole secret; the secret has 256 random bits, so no salt or stretching is needed.</summary>
    public required string SecretHash { get; set; }

    /// <summary>The first characters of the secret, so a user can tell tokens apart without the secret.</summary>
    public required string Prefix { get; set; }

    public DateTime CreatedUtc { get; set; }
    public DateTime? LastUsedUtc { get; set; }
}
