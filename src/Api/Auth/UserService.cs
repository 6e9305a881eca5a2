using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Users;
using WebEngine.Engine;

namespace WebEngine.Api.Auth;

/// <summary>A user as the API and the dashboard see it (never the password hash).</summary>
public sealed record UserInfo(long Id, string Name, string Role, DateTime CreatedUtc);

/// <summary>
/// The users of the HTTP listener, in SQLite: passwords hashed with ASP.NET Core Identity's PasswordHasher (PBKDF2,
/// per-user salt), one role each. There is always at least one admin once the first one exists. Every change of a
/// user drops them from the <see cref="CredentialCheckCache"/> before it returns, so it takes effect on the next request.
/// </summary>
public sealed partial class UserService(WebEngineDatabase database, CredentialCheckCache cache)
{
    public const int MinimumPasswordLength = 8;

    private static readonly PasswordHasher<UserRecord> Hasher = new();

    /// <summary>Hashed once, so a sign-in for an unknown name costs as much as one with a wrong password.</summary>
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, "no such user"));

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Set<UserRecord>().AnyAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var users = await db.Set<UserRecord>().AsNoTracking().OrderBy(u => u.Name).ToListAsync(cancellationToken);
        return users.Select(ToInfo).ToList();
    }

    public async Task<UserInfo> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return ToInfo(await FindAsync(db, name, cancellationToken));
    }

    public async Task<UserInfo> CreateAsync(string name, string password, string role, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ValidatePassword(password);
        ValidateRole(role);
        await using var db = database.CreateContext();
        if (await db.Set<UserRecord>().AnyAsync(u => u.Name == name, cancellationToken))
            throw new AlreadyExistsException($"user {name} already exists");
        var record = new UserRecord
        {
            Name = name,
            PasswordHash = "",
            Role = role,
            SecurityStamp = NewStamp(),
            CreatedUtc = DateTime.UtcNow,
        };
        record.PasswordHash = Hasher.HashPassword(record, password);
        db.Add(record);
        try
        {
            await database.SaveChangesAsync(db, cancellationToken);
        }
        catch (DbUpdateException e)
        {
            throw new AlreadyExistsException($"user {name} already exists", e);
        }
        return ToInfo(record);
    }

    /// <summary>Changes the password and/or the role; either change ends the user's sign-in sessions.</summary>
    public async Task<UserInfo> UpdateAsync(string name, string? password, string? role, CancellationToken cancellationToken)
    {
        if (password is not null)
            ValidatePassword(password);
        if (role is not null)
            ValidateRole(role);
        await using var db = database.CreateContext();
        var record = await FindAsync(db, name, cancellationToken);
        if (role is not null && role != record.Role)
        {
            if (record.Role == Roles.Admin && await AdminCountAsync(db, cancellationToken) == 1)
                throw new ConflictException($"user {name} is the last admin: make another user admin first");
            record.Role = role;
        }
        if (password is not null)
            record.PasswordHash = Hasher.HashPassword(record, password);
        record.SecurityStamp = NewStamp();
        await database.SaveChangesAsync(db, cancellationToken);
        cache.ForgetUser(record.Id);
        return ToInfo(record);
    }

    /// <summary>
    /// A user changes their own password; the current one must be right. Returns the user and the new security stamp,
    /// or null when the current password is wrong (nothing changed).
    /// </summary>
    public async Task<(UserInfo User, string SecurityStamp)?> ChangePasswordAsync(long userId, string currentPassword, string newPassword,
        CancellationToken cancellationToken)
    {
        ValidatePassword(newPassword);
        await using var db = database.CreateContext();
        var record = await db.Set<UserRecord>().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("the signed-in user no longer exists");
        if (Hasher.VerifyHashedPassword(record, record.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
            return null;
        record.PasswordHash = Hasher.HashPassword(record, newPassword);
        record.SecurityStamp = NewStamp();
        await database.SaveChangesAsync(db, cancellationToken);
        cache.ForgetUser(record.Id);
        return (ToInfo(record), record.SecurityStamp);
    }

    /// <summary>Removes the user and their tokens; the last admin cannot be removed.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var record = await FindAsync(db, name, cancellationToken);
        if (record.Role == Roles.Admin && await AdminCountAsync(db, cancellationToken) == 1)
            throw new ConflictException($"user {name} is the last admin and cannot be removed");
        db.Remove(record);
        await database.SaveChangesAsync(db, cancellationToken);
        cache.ForgetUser(record.Id);
    }

    /// <summary>The user when the password is right; null otherwise (unknown name or wrong password alike).</summary>
    public async Task<(UserInfo User, string SecurityStamp)?> VerifyPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var record = await db.Set<UserRecord>().SingleOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (record is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            return null;
        }
        var result = Hasher.VerifyHashedPassword(record, record.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
            return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            record.PasswordHash = Hasher.HashPassword(record, password);
            await database.SaveChangesAsync(db, cancellationToken);
        }
        return (ToInfo(record), record.SecurityStamp);
    }

    /// <summary>The user behind a sign-in cookie, if they still exist and nothing changed since (same security stamp).</summary>
    public async Task<UserInfo?> FindCurrentAsync(long id, string securityStamp, CancellationToken cancellationToken)
    {
        if (cache.FindUser(id, securityStamp) is { } cached)
            return cached;
        var generation = cache.Generation;
        await using var db = database.CreateContext();
        var record = await db.Set<UserRecord>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (record is null || record.SecurityStamp != securityStamp)
            return null;
        var user = ToInfo(record);
        cache.StoreUser(id, securityStamp, user, generation);
        return user;
    }

    public static void ValidateName(string? name)
    {
        if (name is null || !UserName().IsMatch(name))
            throw new InvalidArgumentException($"invalid user name \"{name}\": use 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
    }

    public static void ValidatePassword(string? password)
    {
        if (password is null || password.Length < MinimumPasswordLength)
            throw new InvalidArgumentException($"the password must have at least {MinimumPasswordLength} characters");
    }

    public static void ValidateRole(string? role)
    {
        if (!Roles.IsKnown(role))
            throw new InvalidArgumentException($"invalid role \"{role}\": use {string.Join(", ", Roles.All)}");
    }

    internal static UserInfo ToInfo(UserRecord record) => new(record.Id, record.Name, record.Role, record.CreatedUtc);

    private static async Task<UserRecord> FindAsync(WebEngineDbContext db, string name, CancellationToken cancellationToken) =>
        await db.Set<UserRecord>().SingleOrDefaultAsync(u => u.Name == name, cancellationToken)
        ?? throw new NotFoundException($"No such user: {name}");

    private static Task<int> AdminCountAsync(WebEngineDbContext db, CancellationToken cancellationToken) =>
        db.Set<UserRecord>().CountAsync(u => u.Role == Roles.Admin, cancellationToken);

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex UserName();
}

