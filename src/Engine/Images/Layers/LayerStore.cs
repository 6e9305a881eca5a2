using System.Collections.Concurrent;
using WebEngine.Engine.Images.Content;

namespace WebEngine.Engine.Images.Layers;

/// <summary>
/// Unpacked layers, one directory per chain id (layers/&lt;chain&gt;/diff), shared read-only as overlay lower dirs.
/// A layer is unpacked into a temp directory and renamed into place only once complete and verified, so a
/// half-written layer is never visible. layers/l/&lt;short&gt; links keep overlay mount options short.
/// </summary>
public sealed class LayerStore
{
    private const string SizeFile = "size";
    private readonly ConcurrentDictionary<Digest, SemaphoreSlim> _locks = new();

    public LayerStore(string dataRoot)
    {
        Root = Path.Combine(dataRoot, "layers");
        Directory.CreateDirectory(Path.Combine(Root, "l"));
    }

    public string Root { get; }

    public string DiffPath(Digest chainId) => Path.Combine(Root, chainId.Hex, "diff");

    /// <summary>The lower-dir name relative to <see cref="Root"/>: 18 bytes instead of an absolute path.</summary>
    public string ShortLink(Digest chainId)
    {
        var link = "l/" + chainId.Hex[..16];
        var full = Path.Combine(Root, link);
        if (FileSystemInterop.LstatType(full) is null)
        {
            try
            {
                File.CreateSymbolicLink(full, $"../{chainId.Hex}/diff");
            }
            catch (IOException) when (FileSystemInterop.LstatType(full) is not null)
            {
                // Another caller created the same link in between: it has the same target.
            }
        }
        return link;
    }

    public bool Exists(Digest chainId) => Directory.Exists(DiffPath(chainId));

    /// <summary>Bytes of regular files in the unpacked layer, as counted when it was unpacked.</summary>
    public long SizeOf(Digest chainId) =>
        long.TryParse(File.ReadAllText(Path.Combine(Root, chainId.Hex, SizeFile)), out var size) ? size : 0;

    /// <summary>
    /// Unpacks <paramref name="blob"/> as the layer <paramref name="chainId"/> unless it already is, checking that
    /// the uncompressed tar hashes to <paramref name="diffId"/>. Returns the unpacked size.
    /// </summary>
    public async Task<long> EnsureUnpackedAsync(Digest chainId, Digest diffId, Func<Stream> openBlob, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(chainId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Exists(chainId))
                return SizeOf(chainId);
            var temp = Path.Combine(Root, ".tmp-" + Guid.NewGuid().ToString("N"));
            var diff = Path.Combine(temp, "diff");
            Directory.CreateDirectory(diff);
            try
            {
                var (actual, size) = await Task.Run(() =>
                {
                    using var blob = openBlob();
                    return LayerUnpacker.Unpack(blob, diff, diffId.ToString(), cancellationToken);
                }, cancellationToken);
                if (actual != diffId)
                    throw new InvalidArgumentException($"layer {diffId}: the uncompressed content hashes to {actual} (diff id mismatch)");
                await File.WriteAllTextAsync(Path.Combine(temp, SizeFile), size.ToString(), cancellationToken);
                Directory.Move(temp, Path.Combine(Root, chainId.Hex));
                ShortLink(chainId);
                return size;
            }
            finally
            {
                if (Directory.Exists(temp))
                    Directory.Delete(temp, recursive: true);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Removes a layer no image uses any more: renamed away first, so it vanishes at once.</summary>
    public void Delete(Digest chainId)
    {
        var dir = Path.Combine(Root, chainId.Hex);
        if (!Directory.Exists(dir))
            return;
        File.Delete(Path.Combine(Root, "l", chainId.Hex[..16]));
        var doomed = Path.Combine(Root, ".del-" + Guid.NewGuid().ToString("N"));
        Directory.Move(dir, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>Chain ids of every complete layer on disk.</summary>
    public IEnumerable<Digest> List()
    {
        foreach (var dir in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (Digest.TryParse("sha256:" + dir.Name, out var chainId))
                yield return chainId;
        }
    }

    /// <summary>Removes temp directories left by a crash mid-unpack (called at start).</summary>
    public void RemoveLeftovers()
    {
        foreach (var dir in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (dir.Name.StartsWith(".tmp-", StringComparison.Ordinal) || dir.Name.StartsWith(".del-", StringComparison.Ordinal))
                dir.Delete(recursive: true);
        }
    }
}
