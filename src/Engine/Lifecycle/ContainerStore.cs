using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Events;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The containers table: lookups by id, name or id prefix, and changes that are each one SQLite transaction
/// together with the event that describes them. Every write to the table goes through here, so the store keeps the
/// committed rows in memory too (loaded once, then changed by each commit in commit order): lookups and docker ps
/// read them without a query, which are the daemon's most frequent reads.
/// </summary>
public sealed class ContainerStore(WebEngineDatabase database, EventLog events)
{
    internal static readonly JsonSerializerOptions Json = new() { Converters = { new ReadOnlySetJsonConverter() } };

    /// <summary>The committed rows by id; null until first needed. Replaced (never changed) by each commit.</summary>
    private volatile ImmutableDictionary<string, ContainerSnapshot>? _rows;

    /// <summary>Docker's lookup order: full id, name (with or without '/'), then a unique id prefix.</summary>
    public async Task<ContainerRecord> GetAsync(string idOrName, CancellationToken cancellationToken) =>
        await FindAsync(idOrName, cancellationToken) ?? throw new NotFoundException($"No such container: {idOrName}");

    public async Task<ContainerRecord?> FindAsync(string idOrName, CancellationToken cancellationToken) =>
        Find(await RowsAsync(cancellationToken), idOrName)?.Record.Copy();

    public async Task<List<ContainerRecord>> ListAsync(CancellationToken cancellationToken) =>
        (await SnapshotsAsync(cancellationToken)).Select(s => s.Record.Copy()).ToList();

    /// <summary>The committed rows, newest first, as one consistent set.</summary>
    internal async Task<IReadOnlyList<ContainerSnapshot>> SnapshotsAsync(CancellationToken cancellationToken) =>
        (await RowsAsync(cancellationToken)).Values.OrderByDescending(s => s.Record.CreatedUtc).ToList();

    /// <summary>The id of the container named <paramref name="name"/>, if any.</summary>
    public async Task<string?> IdOfNameAsync(string name, CancellationToken cancellationToken) =>
        ByName(await RowsAsync(cancellationToken), name)?.Record.Id;

    public async Task InsertAsync(ContainerRecord record, string action, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        db.Set<ContainerRecord>().Add(record);
        EventLog.Add(db, EventTypes.Container, action, record.Id, Attributes(record));
        var committed = new ContainerSnapshot(record.Copy());
        await events.CommitAsync(db, () => Replace(rows => rows.SetItem(committed.Record.Id, committed)), cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored row and saves it with the events in one transaction. The row's
    /// version is checked, so a change made from a stale copy fails instead of overwriting another.
    /// </summary>
    public async Task<ContainerRecord> UpdateAsync(string id, Action<ContainerRecord> change, CancellationToken cancellationToken,
        params ContainerEventSpec[] containerEvents)
    {
        await using var db = database.CreateContext();
        // The row as last committed, attached as unchanged: EF writes only what the change sets, and the version check
        // catches a commit this copy missed.
        var record = (await RowsAsync(cancellationToken)).GetValueOrDefault(id)?.Record.Copy()
                     ?? throw new NotFoundException($"No such container: {id}");
        db.Set<ContainerRecord>().Attach(record);
        change(record);
        record.Version++;
        foreach (var e in containerEvents)
            EventLog.Add(db, EventTypes.Container, e.Action, id, Attributes(record, e.Extra));
        var committed = new ContainerSnapshot(record.Copy());
        await events.CommitAsync(db, () => Replace(rows => rows.SetItem(id, committed)), cancellationToken);
        return record;
    }

    public async Task DeleteAsync(string id, string action, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        if ((await RowsAsync(cancellationToken)).GetValueOrDefault(id)?.Record.Copy() is not { } record)
            return;
        db.Set<ContainerRecord>().Remove(record);
        EventLog.Add(db, EventTypes.Container, action, id, Attributes(record));
        await events.CommitAsync(db, () => Replace(rows => rows.Remove(id)), cancellationToken);
    }

    /// <summary>An event with no state change (kill with a signal, exec_start, attach, resize).</summary>
    public Task PublishAsync(ContainerRecord record, ContainerEventSpec e, CancellationToken cancellationToken) =>
        events.PublishAsync(EventTypes.Container, e.Action, record.Id, Attributes(record, e.Extra), cancellationToken);

    /// <summary>docker container prune's closing event (see <see cref="EventLog.PublishPruneAsync"/>).</summary>
    public Task PublishPruneAsync(long reclaimed, CancellationToken cancellationToken) =>
        events.PublishPruneAsync(EventTypes.Container, reclaimed, cancellationToken);

    public static ContainerConfig Config(ContainerRecord record) =>
        JsonSerializer.Deserialize<ContainerConfig>(record.ConfigJson, Json) ?? throw new InvalidOperationException($"container {record.Id}: empty config");

    public static HostConfig HostConfig(ContainerRecord record) =>
        JsonSerializer.Deserialize<HostConfig>(record.HostConfigJson, Json) ?? throw new InvalidOperationException($"container {record.Id}: empty host config");

    public static ContainerStatus Status(ContainerRecord record) => ContainerStatusNames.Parse(record.Status);

    /// <summary>The committed rows, read from SQLite the first time while no commit can happen.</summary>
    private async ValueTask<ImmutableDictionary<string, ContainerSnapshot>> RowsAsync(CancellationToken cancellationToken)
    {
        if (_rows is { } rows)
            return rows;
        return await events.ReadBetweenCommitsAsync(async () =>
        {
            if (_rows is { } loaded)
                return loaded;
            await using var db = database.CreateContext();
            var records = await db.Set<ContainerRecord>().AsNoTracking().ToListAsync(cancellationToken);
            return _rows = records.ToImmutableDictionary(r => r.Id, r => new ContainerSnapshot(r), StringComparer.Ordinal);
        }, cancellationToken);
    }

    /// <summary>Runs inside the commit (see <see cref="EventLog.CommitAsync(WebEngineDbContext, Action?, CancellationToken)"/>); before the first load there is nothing to change.</summary>
    private void Replace(Func<ImmutableDictionary<string, ContainerSnapshot>, ImmutableDictionary<string, ContainerSnapshot>> change)
    {
        if (_rows is { } rows)
            _rows = change(rows);
    }

    private static ContainerSnapshot? Find(ImmutableDictionary<string, ContainerSnapshot> rows, string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName))
            return null;
        if (rows.TryGetValue(idOrName, out var byId))
            return byId;
        if (ByName(rows, idOrName.TrimStart('/')) is { } byName)
            return byName;
        if (!idOrName.All(char.IsAsciiHexDigitLower))
            return null;
        ContainerSnapshot? match = null;
        foreach (var (id, row) in rows)
        {
            if (!id.StartsWith(idOrName, StringComparison.Ordinal))
                continue;
            if (match is not null)
                throw new InvalidArgumentException($"multiple containers found with provided prefix: {idOrName}");
            match = row;
        }
        return match;
    }

    private static ContainerSnapshot? ByName(ImmutableDictionary<string, ContainerSnapshot> rows, string name)
    {
        foreach (var row in rows.Values)
        {
            if (row.Record.Name == name)
                return row;
        }
        return null;
    }

    /// <summary>Docker's container event attributes: the container's labels, then name and image (and the extras).</summary>
    private static Dictionary<string, string> Attributes(ContainerRecord record, IReadOnlyDictionary<string, string>? extra = null)
    {
        var attributes = new Dictionary<string, string>(Config(record).Labels, StringComparer.Ordinal)
        {
            ["name"] = record.Name,
            ["image"] = record.ImageReference,
        };
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
                attributes[key] = value;
        }
        return attributes;
    }
}

/// <summary>An event to record with a container change: its action and attributes beyond name, image and labels.</summary>
public sealed record ContainerEventSpec(string Action, IReadOnlyDictionary<string, string>? Extra = null)
{
    public static implicit operator ContainerEventSpec(string action) => new(action);
}
