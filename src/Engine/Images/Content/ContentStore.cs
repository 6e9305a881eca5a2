using System.Security.Cryptography;

namespace WebEngine.Engine.Images.Content;

/// <summary>
/// Blobs addressed by sha256 under content/blobs/sha256/&lt;hex&gt;. A blob is written to a temp file, its size and
/// digest checked, and only then renamed into place: a reader never sees a partial or wrong blob.
/// </summary>
public sealed class ContentStore
{
    private readonly string _blobs;
    private readonly string _ingest;

    public ContentStore(string dataRoot)
    {
        _blobs = Path.Combine(dataRoot, "content", "blobs", "sha256");
        _ingest = Path.Combine(dataRoot, "content", "ingest");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_ingest);
    }

    public string PathOf(Digest digest) => Path.Combine(_blobs, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    public long SizeOf(Digest digest) => new FileInfo(PathOf(digest)).Length;

    public FileStream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException e)
        {
            throw new NotFoundException($"blob {digest} is not in the content store", e);
        }
    }

    public async Task<byte[]> ReadAllBytesAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var stream = OpenRead(digest);
        var data = new byte[stream.Length];
        await stream.ReadExactlyAsync(data, cancellationToken);
        return data;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the store. With an expected digest or size, a mismatch is refused and
    /// nothing is stored; the stream is read to its end so a short or long source is detected too.
    /// </summary>
    public async Task<Digest> WriteAsync(Stream source, Digest? expected, long? expectedSize, CancellationToken cancellationToken,
        IProgress<long>? progress = null)
    {
        if (expected is { } known && Exists(known) && (expectedSize is null || expectedSize == SizeOf(known)))
            return known;
        var temp = Path.Combine(_ingest, Guid.NewGuid().ToString("N"));
        try
        {
            Digest actual;
            long written = 0;
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    written += n;
                    if (expectedSize is { } max && written > max)
                        throw new InvalidArgumentException($"blob {expected?.ToString() ?? "(unknown digest)"} is larger than the {max} bytes its descriptor declares");
                    hash.AppendData(buffer.AsSpan(0, n));
                    // Before the write: a staging budget that the progress feeds refuses bytes before they fill the disk.
                    progress?.Report(written);
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                }
                actual = Digest.FromHash(hash.GetHashAndReset());
            }
            if (expectedSize is { } size && written != size)
                throw new InvalidArgumentException($"blob {expected?.ToString() ?? actual.ToString()} has {written} bytes, its descriptor declares {size}");
            if (expected is { } want && want != actual)
                throw new InvalidArgumentException($"digest mismatch: expected {want}, content hashes to {actual}");
            File.Move(temp, PathOf(actual), overwrite: true);
            return actual;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<Digest> WriteBytesAsync(byte[] data, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(data, writable: false);
        return await WriteAsync(stream, null, null, cancellationToken);
    }

    public void Delete(Digest digest) => File.Delete(PathOf(digest));

    /// <summary>Every blob in the store, for garbage collection and disk usage.</summary>
    public IEnumerable<(Digest Digest, long Size)> List()
    {
        foreach (var file in new DirectoryInfo(_blobs).EnumerateFiles())
        {
            if (Digest.TryParse("sha256:" + file.Name, out var digest))
                yield return (digest, file.Length);
        }
    }
}
