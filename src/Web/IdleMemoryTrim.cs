using System.Runtime.InteropServices;

namespace WebEngine.Web;

/// <summary>
/// Gives the memory of a burst of work back to the kernel once the daemon is quiet again, as Go's background
/// scavenger does for dockerd. After a burst (containers started, an image loaded) the GC keeps the regions it grew
/// into: measured with 50 containers running, 25 MB committed for an 11 MB heap. One aggressive collection (blocking,
/// compacting, and decommitting every free region) took the daemon from 174 to 160 MB resident; glibc's malloc_trim
/// then gives back the free pages of the native heaps (SQLite, the runtime's own allocations): 157 to 151 MB. It runs
/// once per burst, in the first second in which the daemon allocated almost nothing after having allocated a lot, so a
/// busy daemon is never paused by it.
/// </summary>
public sealed partial class IdleMemoryTrim(ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    private bool _nativeTrim = true;

    /// <summary>Less than this allocated in one second is quiet (an idle daemon allocates a few KB a second).</summary>
    public const long QuietBytesPerSecond = 256 * 1024;

    /// <summary>At least this allocated since the last trim makes a burst worth trimming after.</summary>
    public const long BurstBytes = 4 * 1024 * 1024;

    /// <summary>Whether to trim now: the last second was quiet, and a burst happened since the last trim.</summary>
    /// <param name="allocatedAtLastTrim">Bytes allocated by the process (<see cref="GC.GetTotalAllocatedBytes"/>) right after the last trim.</param>
    /// <param name="allocatedASecondAgo">The same count one second ago.</param>
    /// <param name="allocatedNow">The same count now.</param>
    public static bool ShouldTrim(long allocatedAtLastTrim, long allocatedASecondAgo, long allocatedNow) =>
        allocatedNow - allocatedASecondAgo < QuietBytesPerSecond && allocatedNow - allocatedAtLastTrim >= BurstBytes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var trimmedAt = GC.GetTotalAllocatedBytes();
        var aSecondAgo = trimmedAt;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                if (ShouldTrim(trimmedAt, aSecondAgo, now))
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    TrimNativeHeaps();
                    now = GC.GetTotalAllocatedBytes();
                    trimmedAt = now;
                    logger.LogDebug("Quiet after a burst: heap compacted and free memory returned, {Committed} bytes committed",
                        GC.GetGCMemoryInfo().TotalCommittedBytes);
                }
                aSecondAgo = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void TrimNativeHeaps()
    {
        if (!_nativeTrim)
            return;
        try
        {
            malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // A C library other than glibc (musl has no malloc_trim): the collection alone.
            _nativeTrim = false;
        }
    }

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
