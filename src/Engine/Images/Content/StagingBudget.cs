namespace WebEngine.Engine.Images.Content;

/// <summary>
/// The temporary space one load, import or pull may fill before its image is committed (the extracted archive and
/// the blobs copied from it, the imported tar, the downloaded blobs): at most <see cref="ImageStoreOptions.StagingLimit"/> bytes, and never more
/// than the data root's file system has free when it starts (less 1 MiB or 1%, which stay free). Going over refuses the operation with an error naming
/// the bound; the caller's cleanup removes what it staged.
/// </summary>
internal sealed class StagingBudget
{
    private const long KeptFree = 1 << 20;
    private readonly string _operation;
    private readonly long _limit;
    private readonly string _bound;
    private long _used;

    public StagingBudget(ImageStoreOptions options, string operation)
    {
        _operation = operation;
        Directory.CreateDirectory(options.DataRoot);
        // Some of the free space stays free: the database grows too, and small files take whole blocks.
        var available = new DriveInfo(options.DataRoot).AvailableFreeSpace;
        var free = Math.Max(0, available - Math.Max(KeptFree, available / 100));
        if (options.StagingLimit > 0 && options.StagingLimit <= free)
        {
            _limit = options.StagingLimit;
            _bound = $"the staging limit of {options.StagingLimit} bytes (WebEngine:ImageStagingLimit)";
        }
        else
        {
            _limit = free;
            _bound = $"the {available} bytes free on the file system of the data root {options.DataRoot} (less {available - free} kept free)";
        }
    }

    /// <summary>A progress sink for <see cref="ContentStore.WriteAsync"/>, which reports running totals: counts what each adds.</summary>
    public IProgress<long> CountWrittenTotals()
    {
        var counted = 0L;
        return new ByteProgress(total =>
        {
            Reserve(total - counted);
            counted = total;
        });
    }

    /// <summary>Counts <paramref name="bytes"/> more of temporary data; throws once the total exceeds the bound.</summary>
    public void Reserve(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used > _limit)
            throw new InvalidArgumentException($"{_operation} refused: it needs more than {used - bytes} bytes of temporary space, over {_bound}");
    }
}
