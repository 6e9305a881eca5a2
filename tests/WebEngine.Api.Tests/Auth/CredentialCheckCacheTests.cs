using Microsoft.EntityFrameworkCore;
using WebEngine.Api.Auth;
using WebEngine.Data;
using WebEngine.TestSupport;

namespace WebEngine.Api.Tests.Auth;

/// <summary>
/// The token and cookie checks' cache, on a real SQLite database and a clock the test moves: answers are reused for
/// a few seconds, and a revocation, a role change or a removal made through the services takes effect at once.
/// </summary>
public sealed class CredentialCheckCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new("credential-cache");
    private readonly ManualClock _clock = new();
    private readonly WebEngineDatabase _database;
    private readonly CredentialCheckCache _cache;
    private readonly UserService _users;
    private readonly ApiTokenService _tokens;

    public CredentialCheckCacheTests()
    {
        _database = WebEngineDatabase.Open(_dir.Combine("webengine.db"));
        _cache = new CredentialCheckCache(_clock);
        _users = new UserService(_database, _cache);
        _tokens = new ApiTokenService(_database, _cache);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task ATokenCheckIsAnsweredFromMemoryForAFewSecondsThenFromTheDatabase()
    {
        await _users.CreateAsync("tina", "tinas-password", Roles.Viewer, CancellationToken.None);
        var (token, secret) = await _tokens.CreateAsync("tina", "laptop", CancellationToken.None);
        Assert.NotNull(await _tokens.AuthenticateAsync(secret, CancellationToken.None));

        // Deleted behind the service's back: the cached answer stands until it expires.
        await using (var db = _database.CreateContext())
            await _database.WriteAsync(() => db.Database.ExecuteSqlAsync($"DELETE FROM ApiTokens WHERE Id = {token.Id}"), CancellationToken.None);
        Assert.NotNull(await _tokens.AuthenticateAsync(secret, CancellationToken.None));
        _clock.Advance(CredentialCheckCache.TimeToLive);
        Assert.Null(await _tokens.AuthenticateAsync(secret, CancellationToken.None));
    }

    [Fact]
    public async Task RevocationRoleChangeAndRemovalTakeEffectAtOnce()
    {
        await _users.CreateAsync("otto", "ottos-password", Roles.Viewer, CancellationToken.None);
        var (first, firstSecret) = await _tokens.CreateAsync("otto", "one", CancellationToken.None);
        var (_, secondSecret) = await _tokens.CreateAsync("otto", "two", CancellationToken.None);
        Assert.NotNull(await _tokens.AuthenticateAsync(firstSecret, CancellationToken.None));
        Assert.NotNull(await _tokens.AuthenticateAsync(secondSecret, CancellationToken.None));

        await _tokens.RevokeAsync(first.Id, null, CancellationToken.None);
        Assert.Null(await _tokens.AuthenticateAsync(firstSecret, CancellationToken.None));

        await _users.UpdateAsync("otto", null, Roles.Operator, CancellationToken.None);
        Assert.Equal(Roles.Operator, (await _tokens.AuthenticateAsync(secondSecret, CancellationToken.None))!.Value.User.Role);

        await _users.DeleteAsync("otto", CancellationToken.None);
        Assert.Null(await _tokens.AuthenticateAsync(secondSecret, CancellationToken.None));
    }

    [Fact]
    public async Task ASignInSessionEndsAtOnceWhenTheUserChangesOrGoes()
    {
        await _users.CreateAsync("vera", "veras-password", Roles.Viewer, CancellationToken.None);
        var (user, stamp) = (await _users.VerifyPasswordAsync("vera", "veras-password", CancellationToken.None))!.Value;
        Assert.NotNull(await _users.FindCurrentAsync(user.Id, stamp, CancellationToken.None));

        await _users.UpdateAsync("vera", "a-new-password", null, CancellationToken.None);
        Assert.Null(await _users.FindCurrentAsync(user.Id, stamp, CancellationToken.None));

        var (_, newStamp) = (await _users.VerifyPasswordAsync("vera", "a-new-password", CancellationToken.None))!.Value;
        Assert.NotNull(await _users.FindCurrentAsync(user.Id, newStamp, CancellationToken.None));
        await _users.DeleteAsync("vera", CancellationToken.None);
        Assert.Null(await _users.FindCurrentAsync(user.Id, newStamp, CancellationToken.None));
    }

    /// <summary>
    /// User and token writes take their turns with the engine's (Microsoft.Data.Sqlite sleeps 150 ms when two SQLite
    /// writers meet): while another write holds the database, none of them reaches it.
    /// </summary>
    [Fact]
    public async Task UserAndTokenWritesWaitForTheWriteBeforeThem()
    {
        await _users.CreateAsync("una", "unas-password", Roles.Viewer, CancellationToken.None);
        var (token, _) = await _tokens.CreateAsync("una", "old", CancellationToken.None);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = _database.WriteAsync(async () =>
        {
            held.SetResult();
            await release.Task;
        }, CancellationToken.None);
        await held.Task;
        Task[] writes = [];
        (bool, bool, bool) seenWhileHeld;
        try
        {
            writes =
            [
                _users.CreateAsync("ugo", "ugos-password", Roles.Viewer, CancellationToken.None),
                _users.UpdateAsync("una", null, Roles.Operator, CancellationToken.None),
                _tokens.RevokeAsync(token.Id, null, CancellationToken.None),
            ];
            // Long enough for a write that does not wait its turn to commit; one that waits never gets there.
            await Task.WhenAny(Task.WhenAll(writes), Task.Delay(TimeSpan.FromMilliseconds(500)));
            seenWhileHeld = await UsersStateAsync(token.Id);
        }
        finally
        {
            release.SetResult();
            await holder;
        }
        await Task.WhenAll(writes);
        Assert.Equal((false, false, true), seenWhileHeld);
        Assert.Equal((true, true, false), await UsersStateAsync(token.Id));
    }

    private async Task<(bool Created, bool Updated, bool TokenKept)> UsersStateAsync(long tokenId)
    {
        var users = await _users.ListAsync(CancellationToken.None);
        return (users.Any(u => u.Name == "ugo"), users.Single(u => u.Name == "una").Role == Roles.Operator,
            (await _tokens.ListAsync("una", CancellationToken.None)).Any(t => t.Id == tokenId));
    }

    [Fact]
    public void AnAnswerReadBeforeAnInvalidationIsNotStored()
    {
        var user = new UserInfo(7, "late", Roles.Admin, DateTime.UtcNow);
        var generation = _cache.Generation;
        _cache.ForgetUser(7);
        _cache.StoreToken("hash", user, 1, generation);
        _cache.StoreUser(7, "stamp", user, generation);
        Assert.Null(_cache.FindToken("hash"));
        Assert.Null(_cache.FindUser(7, "stamp"));
        _cache.StoreUser(7, "stamp", user, _cache.Generation);
        Assert.Equal(user, _cache.FindUser(7, "stamp"));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
