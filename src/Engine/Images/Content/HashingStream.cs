using System.Security.Cryptography;

namespace WebEngine.Engine.Images.Content;

/// <summary>A read-only pass-through that hashes (sha256) and counts every byte read from the inner stream.</summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen = false) : ReadObserverStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>Reads the inner stream to its end, then returns the digest of everything read.</summary>
    public async Task<Digest> DrainAndGetDigestAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
        return Digest.FromHash(_hash.GetHashAndReset());
    }

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        BytesRead += data.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen)
                Inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
