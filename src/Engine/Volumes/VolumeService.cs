using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Containers;
using WebEngine.Data.Volumes;
using WebEngine.Engine.Bundles;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Events;
using WebEngine.Engine.Lifecycle;

namespace WebEngine.Engine.Volumes;

/// <summary>
/// Named and anonymous volumes of the local driver: a directory volumes/&lt;name&gt;/_data per volume, a row in SQLite,
/// create/inspect/list/remove/prune, and the first use filling a new volume with the image's content at its target.
/// </summary>
public sealed partial class VolumeService
{
    /// <summary>Docker marks volumes a container made for an unnamed mount with this label.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private readonly WebEngineDatabase _database;
    private readonly EventLog _events;
    private readonly string _root;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public VolumeService(EngineOptions options, WebEngineDatabase database, EventLog events)
    {
        _database = database;
        _events = events;
        _root = options.VolumesDirectory;
        Directory.CreateDirectory(_root);
    }

    public async Task<VolumeDetails> CreateAsync(string? name, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? driverOptions,
        CancellationToken cancellationToken, string driver = "local")
    {
        if (driver is not ("local" or ""))
            throw new NotFoundException($"plugin \"{driver}\" not found");
        if (driverOptions is { Count: > 0 })
            throw new InvalidArgumentException($"create {name}: the local driver of this engine takes no options (got {string.Join(", ", driverOptions.Keys)})");
        var (record, _) = await GetOrCreateAsync(string.IsNullOrEmpty(name) ? null : name, labels ?? new Dictionary<string, string>(), anonymous: false, cancellationToken);
        return ToDetails(record);
    }

    public async Task<VolumeDetails> InspectAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var record = await db.Set<VolumeRecord>().AsNoTracking().FirstOrDefaultAsync(v => v.Name == name, cancellationToken)
                     ?? throw new NotFoundException($"get {name}: no such volume");
        return ToDetails(record);
    }

    /// <summary>docker volume ls, with Docker's filters: name (substring), label (key or key=value), dangling (true/false), driver.</summary>
    public async Task<IReadOnlyList<VolumeDetails>> ListAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken)
    {
        filters ??= new Dictionary<string, IReadOnlyList<string>>();
        await using var db = _database.CreateContext();
        var records = await db.Set<VolumeRecord>().AsNoTracking().OrderBy(v => v.Name).ToListAsync(cancellationToken);
        var used = await VolumesInUseAsync(db, cancellationToken);
        var volumes = records.Select(ToDetails).ToList();
        foreach (var (key, values) in filters)
        {
            volumes = key switch
            {
                "name" => volumes.Where(v => values.Any(n => v.Name.Contains(n, StringComparison.Ordinal))).ToList(),
                "driver" => volumes.Where(v => values.Contains(v.Driver)).ToList(),
                "label" => volumes.Where(v => values.All(l => HasLabel(v.Labels, l))).ToList(),
                "dangling" => volumes.Where(v => values.Any(d => ParseBool(d, key) != used.ContainsKey(v.Name))).ToList(),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
        }
        return volumes;
    }

    /// <summary>docker volume rm: refused while a container (running or not) uses it, unless the container is gone.</summary>
    public async Task RemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var record = await db.Set<VolumeRecord>().FirstOrDefaultAsync(v => v.Name == name, cancellationToken);
            if (record is null)
            {
                if (force)
                    return;
                throw new NotFoundException($"get {name}: no such volume");
            }
            var used = await VolumesInUseAsync(db, cancellationToken);
            if (used.TryGetValue(name, out var users))
                throw new ConflictException($"remove {name}: volume is in use - [{string.Join(", ", users)}]");
            await DeleteLockedAsync(db, record, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>docker volume prune: unused anonymous volumes, or every unused volume with <paramref name="all"/>; label filters narrow it.</summary>
    public async Task<VolumePruneResult> PruneAsync(bool all, IReadOnlyList<string> labels, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        long reclaimed = 0;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var used = await VolumesInUseAsync(db, cancellationToken);
            var records = await db.Set<VolumeRecord>().ToListAsync(cancellationToken);
            foreach (var record in records.Where(r => (all || r.Anonymous) && !used.ContainsKey(r.Name)))
            {
                if (!labels.All(l => HasLabel(ParseMap(record.LabelsJson), l)))
                    continue;
                reclaimed += DirectorySize(record.Mountpoint);
                await DeleteLockedAsync(db, record, cancellationToken);
                deleted.Add(record.Name);
            }
        }
        finally
        {
            _lock.Release();
        }
        await _events.PublishPruneAsync(EventTypes.Volume, reclaimed, cancellationToken);
        return new VolumePruneResult(deleted, reclaimed);
    }

    /// <summary>
    /// Finds or creates the volume behind a container's mount (a new anonymous one when the mount has no name) and,
    /// when the volume is new and the mount allows it, copies the image's content at the target into it.
    /// </summary>
    public async Task<ResolvedVolume> ResolveAsync(ContainerMount mount, string rootfs, CancellationToken cancellationToken)
    {
        var anonymous = mount.Source.Length == 0;
        var labels = anonymous ? new Dictionary<string, string> { [AnonymousLabel] = "" } : new Dictionary<string, string>();
        var (record, created) = await GetOrCreateAsync(anonymous ? null : mount.Source, labels, anonymous, cancellationToken);
        if (created && mount.CopyImageData)
        {
            try
            {
                await CopyImageContentAsync(RootfsPath.Resolve(rootfs, mount.Target), record.Mountpoint, cancellationToken);
            }
            catch
            {
                await DeleteUnusedAsync(record.Name, CancellationToken.None);
                throw;
            }
        }
        return new ResolvedVolume(record.Name, record.Mountpoint, created);
    }

    /// <summary>Removes a volume no container uses any more (the anonymous volumes of a removed container; a failed create's new volumes).</summary>
    public async Task DeleteUnusedAsync(string name, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var record = await db.Set<VolumeRecord>().FirstOrDefaultAsync(v => v.Name == name, cancellationToken);
            if (record is null || (await VolumesInUseAsync(db, cancellationToken)).ContainsKey(name))
                return;
            await DeleteLockedAsync(db, record, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<(VolumeRecord Record, bool Created)> GetOrCreateAsync(string? name, IReadOnlyDictionary<string, string> labels, bool anonymous,
        CancellationToken cancellationToken)
    {
        name ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        if (!VolumeName().IsMatch(name))
            throw new InvalidArgumentException($"create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = _database.CreateContext();
            var existing = await db.Set<VolumeRecord>().FirstOrDefaultAsync(v => v.Name == name, cancellationToken);
            if (existing is not null)
                return (existing, false);
            var data = Path.Combine(_root, name, "_data");
            Directory.CreateDirectory(data);
            var record = new VolumeRecord
            {
                Name = name,
                Mountpoint = data,
                LabelsJson = JsonSerializer.Serialize(labels),
                Anonymous = anonymous,
                CreatedUtc = DateTime.UtcNow,
            };
            db.Set<VolumeRecord>().Add(record);
            EventLog.Add(db, EventTypes.Volume, "create", name, new Dictionary<string, string> { ["driver"] = "local" });
            try
            {
                await _events.CommitAsync(db, cancellationToken);
            }
            catch
            {
                Directory.Delete(Path.Combine(_root, name), recursive: true);
                throw;
            }
            return (record, true);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task DeleteLockedAsync(WebEngineDbContext db, VolumeRecord record, CancellationToken cancellationToken)
    {
        db.Set<VolumeRecord>().Remove(record);
        EventLog.Add(db, EventTypes.Volume, "destroy", record.Name, new Dictionary<string, string> { ["driver"] = record.Driver });
        await _events.CommitAsync(db, cancellationToken);
        var directory = Path.Combine(_root, record.Name);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    /// <summary>Volume name to the ids of the containers that mount it.</summary>
    private static async Task<Dictionary<string, List<string>>> VolumesInUseAsync(WebEngineDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Set<ContainerRecord>().AsNoTracking().Select(c => new { c.Id, c.MountsJson }).ToListAsync(cancellationToken);
        var used = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var mount in MountPoint.ParseList(row.MountsJson).Where(m => m.Type == "volume"))
            {
                if (!used.TryGetValue(mount.Name, out var users))
                    used[mount.Name] = users = [];
                users.Add(row.Id);
            }
        }
        return used;
    }

    /// <summary>Copies what the image has at the mount's target into the new volume, keeping owners, modes and times (Docker's copy-up).</summary>
    private static async Task CopyImageContentAsync(string source, string destination, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(source) || !Directory.EnumerateFileSystemEntries(source).Any())
            return;
        var startInfo = new ProcessStartInfo("cp") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-a", "--", source + "/.", destination })
            startInfo.ArgumentList.Add(argument);
        using var copy = Process.Start(startInfo) ?? throw new IOException($"copy {source} into volume {destination}: cp did not start");
        var error = await copy.StandardError.ReadToEndAsync(cancellationToken);
        await copy.WaitForExitAsync(cancellationToken);
        if (copy.ExitCode != 0)
            throw new IOException($"copy {source} into volume {destination}: cp exited {copy.ExitCode}: {error.Trim()}");
    }

    private static long DirectorySize(string path) =>
        Directory.Exists(path)
            ? new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length)
            : 0;

    private static VolumeDetails ToDetails(VolumeRecord record) => new(
        record.Name, record.Driver, record.Mountpoint, DateTime.SpecifyKind(record.CreatedUtc, DateTimeKind.Utc),
        ParseMap(record.LabelsJson), ParseMap(record.OptionsJson), record.Anonymous);

    private static Dictionary<string, string> ParseMap(string json) => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var equals = filter.IndexOf('=');
        return equals < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..equals], out var value) && value == filter[(equals + 1)..];
    }

    private static bool ParseBool(string value, string key) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new InvalidArgumentException($"invalid filter '{key}={value}'"),
    };

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex VolumeName();
}
