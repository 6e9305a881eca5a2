using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Users;
using WebEngine.Engine;

namespace WebEngine.Api.Auth;

/// <summary>An API token as listed (never its secret).</summary>
public sealed record ApiTokenInfo(long Id, string User, string Name, string Prefix, DateTime CreatedUtc, DateTime? LastUsedUtc);

/// <summary>
/// API tokens: a random secret shown once at creation; only its SHA-256 is stored. A request presents the secret as
/// a bearer token; the token acts with its user's current role. Revoking deletes the row and drops the token from
/// the <see cref="CredentialCheckCache"/>, so the next request fails.
/// </summary>
public sealed class ApiTokenService(WebEngineDatabase database, CredentialCheckCache cache)
{
    /// <summary>Every secret starts with this, so leaked tokens are easy to grep for.</summary>
    public const string SecretPrefix = "wet_";

    /// <summary>
    /// Recording every use would write the database on every request; once a minute per token is enough (and longer
    /// than <see cref="CredentialCheckCache.TimeToLive"/>, so every use is seen by a database read at most that old).
    /// </summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<(ApiTokenInfo Token, string Secret)> CreateAsync(string userName, string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
            throw new InvalidArgumentException("a token needs a name of 1 to 100 characters");
        await using var db = database.CreateContext();
        var user = await db.Set<UserRecord>().SingleOrDefaultAsync(u => u.Name == userName, cancellationToken)
            ?? throw new NotFoundException($"No such user: {userName}");
        if (await db.Set<ApiTokenRecord>().AnyAsync(t => t.UserId == user.Id && t.Name == name, cancellationToken))
            throw new AlreadyExistsException($"user {userName} already has a token named {name}");
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var record = new ApiTokenRecord
        {
            UserId = user.Id,
            Name = name,
            SecretHash = Hash(secret),
            Prefix = secret[..(SecretPrefix.Length + 6)],
            CreatedUtc = DateTime.UtcNow,
        };
        db.Add(record);
        await database.SaveChangesAsync(db, cancellationToken);
        return (ToInfo(record, user.Name), secret);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(string userName, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var user = await db.Set<UserRecord>().AsNoTracking().SingleOrDefaultAsync(u => u.Name == userName, cancellationToken)
            ?? throw new NotFoundException($"No such user: {userName}");
        var tokens = await db.Set<ApiTokenRecord>().AsNoTracking().Where(t => t.UserId == user.Id).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return tokens.Select(t => ToInfo(t, user.Name)).ToList();
    }

    /// <summary>Revokes a token; with <paramref name="ownerId"/> only if it belongs to that user (else: not found).</summary>
    public async Task RevokeAsync(long tokenId, long? ownerId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var deleted = await database.WriteAsync(() => db.Set<ApiTokenRecord>()
            .Where(t => t.Id == tokenId && (ownerId == null || t.UserId == ownerId))
            .ExecuteDeleteAsync(cancellationToken), cancellationToken);
        if (deleted == 0)
            throw new NotFoundException($"No such token: {tokenId}");
        cache.ForgetToken(tokenId);
    }

    /// <summary>The token's user and the token's id when the secret is a live token; null otherwise.</summary>
    public async Task<(UserInfo User, long TokenId)?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
            return null;
        var hash = Hash(secret);
        var now = cache.Now.UtcDateTime;
        // A cached answer is younger than the last-used resolution, so the read that cached it recorded the use.
        if (cache.FindToken(hash) is { } cached)
            return (cached.User, cached.TokenId);
        var generation = cache.Generation;
        await using var db = database.CreateContext();
        var token = await db.Set<ApiTokenRecord>().Include(t => t.User).SingleOrDefaultAsync(t => t.SecretHash == hash, cancellationToken);
        if (token?.User is null)
            return null;
        if (token.LastUsedUtc is not { } last || now - last >= LastUsedResolution)
        {
            token.LastUsedUtc = now;
            await database.SaveChangesAsync(db, cancellationToken);
        }
        var user = UserService.ToInfo(token.User);
        cache.StoreToken(hash, user, token.Id, generation);
        return (user, token.Id);
    }

    private static ApiTokenInfo ToInfo(ApiTokenRecord record, string userName) =>
        new(record.Id, userName, record.Name, record.Prefix, record.CreatedUtc, record.LastUsedUtc);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
