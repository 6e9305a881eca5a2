using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Registries;

namespace WebEngine.Engine.Images.Registry;

/// <summary>
/// Registry logins (what `docker login` stores), one per registry host, in SQLite. The secret is encrypted with
/// AES-256-GCM under a key kept in keys/registry-credentials.key (mode 0600, root only) beside the database, and
/// bound to its registry host as associated data, so a copied database alone does not reveal passwords and a
/// secret cannot be moved to another host's row.
/// </summary>
public sealed class RegistryCredentialStore
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly WebEngineDatabase _database;
    private readonly Lazy<byte[]> _key;

    public RegistryCredentialStore(WebEngineDatabase database, string dataRoot)
    {
        _database = database;
        _key = new Lazy<byte[]>(() => LoadOrCreateKey(Path.Combine(dataRoot, "keys", "registry-credentials.key")));
    }

    /// <summary>Stores (or replaces) the login for <paramref name="registry"/> (a host as in image references).</summary>
    public async Task SaveAsync(string registry, string username, string secret, CancellationToken cancellationToken)
    {
        var host = Normalize(registry);
        await using var db = _database.CreateContext();
        var record = await db.RegistryCredentials.FirstOrDefaultAsync(c => c.Registry == host, cancellationToken);
        var protectedSecret = Protect(host, secret);
        if (record is null)
            db.RegistryCredentials.Add(new RegistryCredentialRecord { Registry = host, Username = username, ProtectedSecret = protectedSecret, UpdatedUtc = DateTime.UtcNow });
        else
        {
            record.Username = username;
            record.ProtectedSecret = protectedSecret;
            record.UpdatedUtc = DateTime.UtcNow;
        }
        await _database.SaveChangesAsync(db, cancellationToken);
    }

    public async Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken)
    {
        var host = Normalize(registry);
        await using var db = _database.CreateContext();
        var record = await db.RegistryCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Registry == host, cancellationToken);
        return record is null ? null : new RegistryCredential(record.Username, Unprotect(host, record.ProtectedSecret));
    }

    /// <summary>docker logout; returns false when there was no login.</summary>
    public async Task<bool> RemoveAsync(string registry, CancellationToken cancellationToken)
    {
        var host = Normalize(registry);
        await using var db = _database.CreateContext();
        return await _database.WriteAsync(() => db.RegistryCredentials.Where(c => c.Registry == host).ExecuteDeleteAsync(cancellationToken), cancellationToken) > 0;
    }

    /// <summary>A registry as logins name it (host[:port], or a URL such as "https://index.docker.io/v1/"): its host; Docker
    /// Hub is known by several names, and they share one login.</summary>
    internal static string Normalize(string registry)
    {
        var host = registry.Trim().TrimEnd('/');
        if (host.StartsWith("https://", StringComparison.Ordinal) || host.StartsWith("http://", StringComparison.Ordinal))
            host = new Uri(host).Authority;
        return host is "index.docker.io" or "registry-1.docker.io" ? ImageReference.DockerHubDomain : host;
    }

    private byte[] Protect(string host, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(host));
        return output;
    }

    private string Unprotect(string host, byte[] data)
    {
        if (data.Length < NonceSize + TagSize)
            throw new InvalidArgumentException($"the stored login for {host} is damaged; log in again");
        var plain = new byte[data.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key.Value, TagSize);
        try
        {
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize + TagSize), data.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(host));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidArgumentException($"the stored login for {host} cannot be decrypted (key changed?); log in again", e);
        }
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
            return File.ReadAllBytes(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.SetUnixFileMode(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
            file.Write(key);
        File.Move(temp, path);
        return key;
    }
}

/// <summary>A registry login: user name and password (or identity token).</summary>
public sealed record RegistryCredential(string Username, string Secret);
