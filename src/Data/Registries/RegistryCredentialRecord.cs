namespace WebEngine.Data.Registries;

/// <summary>What `docker login` stored for one registry host; the secret is encrypted by the engine.</summary>
public sealed class RegistryCredentialRecord
{
    /// <summary>The registry host as in image references (docker.io, 127.0.0.1:5000).</summary>
    public required string Registry { get; set; }

    public required string Username { get; set; }

    /// <summary>The password or identity token, AES-GCM encrypted (nonce | tag | ciphertext).</summary>
    public required byte[] ProtectedSecret { get; set; }

    public DateTime UpdatedUtc { get; set; }
}
