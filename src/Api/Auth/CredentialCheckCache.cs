using System.Collections.Concurrent;

namespace WebEngine.Api.Auth;

/// <summary>
/// A few seconds of memory for the checks every request on the HTTP listener makes (bearer token → its user; sign-in
/// cookie → the user still there with the same security stamp), so that they do not query SQLite each time. Every
/// change that must take effect at once (a token revoked, a user removed, a password or role changed) drops what it
/// affects before it returns; a generation number keeps a check that read the database before such a change from
/// storing its answer, stale by then.
/// </summary>
public sealed class CredentialCheckCache(TimeProvider clock)
{
    /// <summary>How long an answer is reused; changes made through the services take effect before that.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    /// <summary>Above this many entries, expired ones are swept when a new one is stored.</summary>
    private const int SweepAbove = 1_000;

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(long UserId, string Stamp), CachedUser> _users = new();
    private long _generation;

    /// <summary>Read before querying the database; pass it to the Store call that caches the answer.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public DateTimeOffset Now => clock.GetUtcNow();

    public CachedToken? FindToken(string secretHash) =>
        _tokens.TryGetValue(secretHash, out var entry) && entry.Expires > Now ? entry : null;

    public UserInfo? FindUser(long userId, string securityStamp) =>
        _users.TryGetValue((userId, securityStamp), out var entry) && entry.Expires > Now ? entry.User : null;

    public void StoreToken(string secretHash, UserInfo user, long tokenId, long generation)
    {
        lock (_gate)
        {
            if (generation != _generation)
                return;
            Sweep(_tokens);
            _tokens[secretHash] = new CachedToken(user, tokenId, Now + TimeToLive);
        }
    }

    public void StoreUser(long userId, string securityStamp, UserInfo user, long generation)
    {
        lock (_gate)
        {
            if (generation != _generation)
                return;
            Sweep(_users);
            _users[(userId, securityStamp)] = new CachedUser(user, Now + TimeToLive);
        }
    }

    /// <summary>The user was removed or changed (role, password, security stamp): forget them and their tokens.</summary>
    public void ForgetUser(long userId)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var (key, entry) in _tokens)
            {
                if (entry.User.Id == userId)
                    _tokens.TryRemove(key, out _);
            }
            foreach (var key in _users.Keys.Where(k => k.UserId == userId))
                _users.TryRemove(key, out _);
        }
    }

    /// <summary>The token was revoked.</summary>
    public void ForgetToken(long tokenId)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var (key, entry) in _tokens)
            {
                if (entry.TokenId == tokenId)
                    _tokens.TryRemove(key, out _);
            }
        }
    }

    private void Sweep<TKey, TEntry>(ConcurrentDictionary<TKey, TEntry> entries) where TKey : notnull where TEntry : ICachedEntry
    {
        if (entries.Count < SweepAbove)
            return;
        var now = Now;
        foreach (var (key, entry) in entries)
        {
            if (entry.Expires <= now)
                entries.TryRemove(key, out _);
        }
    }
}

/// <summary>What the sweep needs of an entry.</summary>
internal interface ICachedEntry
{
    DateTimeOffset Expires { get; }
}

/// <summary>A live token's user.</summary>
public sealed record CachedToken(UserInfo User, long TokenId, DateTimeOffset Expires) : ICachedEntry;

public sealed record CachedUser(UserInfo User, DateTimeOffset Expires) : ICachedEntry;
