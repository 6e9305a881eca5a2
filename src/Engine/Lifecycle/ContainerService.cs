using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WebEngine.Data;
using WebEngine.Data.Containers;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Events;
using WebEngine.Engine.Images;
using WebEngine.Engine.Networks;
using WebEngine.Engine.Shims;
using WebEngine.Engine.Volumes;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The containers of the engine: create, start, stop, kill, restart, pause, rename, remove, wait, inspect, list,
/// logs, exec, attach, top, stats, update; restart policies; and reconciling with the shims when the engine starts.
/// Each operation on a container holds that container's lock; every state change is one SQLite transaction with its
/// event. One file per operation (ContainerService.Start.cs, ...).
/// </summary>
public sealed partial class ContainerService : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly ContainerStore _store;
    private readonly ImageService _images;
    private readonly VolumeService _volumes;
    private readonly NetworkService _networks;
    private readonly ContainerPaths _paths;
    private readonly ShimLauncher _launcher;
    private readonly BundleBuilderOptions _bundleOptions;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ContainerEntry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<Task, bool> _background = new();

    public ContainerService(EngineOptions options, WebEngineDatabase database, ImageService images, VolumeService volumes, EventLog events,
        ILogger<ContainerService>? logger = null)
    {
        _options = options;
        _store = new ContainerStore(database, events);
        _images = images;
        _volumes = volumes;
        _networks = new NetworkService(options, database, events, logger);
        _paths = new ContainerPaths(options);
        _launcher = new ShimLauncher(options.ShimBinary);
        _bundleOptions = new BundleBuilderOptions
        {
            ContainersDirectory = options.ContainersDirectory,
            InitBinary = options.InitBinary,
            CgroupParent = options.CgroupParent,
        };
        _logger = logger ?? NullLogger<ContainerService>.Instance;
        Directory.CreateDirectory(options.ContainersDirectory);
        Directory.CreateDirectory(options.ShimsDirectory);
        Directory.CreateDirectory(options.RuntimeStateDirectory);
    }

    public ContainerPaths Paths => _paths;

    public ContainerStore Store => _store;

    /// <summary>The networks containers join; the engine's one instance, shared with the API's network endpoints.</summary>
    public NetworkService Networks => _networks;

    /// <summary>
    /// Lets go of the containers without touching them, as a daemon that exits does: monitors stop, shim connections
    /// close, the shims and their containers keep running for the next engine to re-attach.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        foreach (var entry in _entries.Values)
            entry.CancelPendingRestart();
        try
        {
            await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or EngineException or IOException)
        {
            _logger.LogDebug(e, "a background container task ended with an error during shutdown");
        }
        foreach (var entry in _entries.Values)
        {
            if (entry.Run is { } run)
                await run.Client.DisposeAsync();
            foreach (var pending in entry.PendingAttaches)
                pending.Stream.TrySetCanceled();
        }
        _shutdown.Dispose();
    }

    private ContainerEntry Entry(string id) => _entries.GetOrAdd(id, static id => new ContainerEntry(id));

    /// <summary>Resolves the container and takes its lock; the returned scope releases it.</summary>
    private async Task<(ContainerEntry Entry, ContainerRecord Record, LockScope Scope)> LockAsync(string idOrName, CancellationToken cancellationToken)
    {
        var resolved = await _store.GetAsync(idOrName, cancellationToken);
        var entry = Entry(resolved.Id);
        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            // Re-read under the lock: the row may have changed (or gone) while we waited.
            var record = await _store.GetAsync(resolved.Id, cancellationToken);
            return (entry, record, new LockScope(entry.Lock));
        }
        catch
        {
            entry.Lock.Release();
            throw;
        }
    }

    /// <summary>Runs work that outlives the call (monitors, policy restarts, auto-removal) so that dispose can wait for it.</summary>
    private void RunInBackground(Func<Task> work, string what)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _logger.LogError(e, "{What} failed", what);
            }
        });
        _background[task] = true;
        task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    private static string ShortId(string id) => id[..12];

    /// <summary>Releases a container lock on dispose.</summary>
    private readonly struct LockScope(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
