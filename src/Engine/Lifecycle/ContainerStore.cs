using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WebEngine.Data;
using WebEngine.Data.Containers;
using WebEngine.Engine.Containers;
using WebEngine.Engine.Events;

namespace WebEngine.Engine.Lifecycle;

/// <summary>
/// The containers table: lookups by id, name or id prefix, and changes that are each one SQLite transaction
/// together with the event that describes them.
/// </summary>
public sealed class ContainerStore(WebEngineDatabase database, EventLog events)
{
    internal static readonly JsonSerializerOptions Json = new() { Converters = { new ReadOnlySetJsonConverter() } };

    /// <summary>Docker's lookup order: full id, name (with or without '/'), then a unique id prefix.</summary>
    public async Task<ContainerRecord> GetAsync(string idOrName, CancellationToken cancellationToken) =>
        await FindAsync(idOrName, cancellationToken) ?? throw new NotFoundException($"No such container: {idOrName}");

    public async Task<ContainerRecord?> FindAsync(string idOrName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idOrName))
            return null;
        await using var db = database.CreateContext();
        var set = db.Set<ContainerRecord>().AsNoTracking();
        var byId = await set.FirstOrDefaultAsync(c => c.Id == idOrName, cancellationToken);
        if (byId is not null)
            return byId;
        var name = idOrName.TrimStart('/');
        var byName = await set.FirstOrDefaultAsync(c => c.Name == name, cancellationToken);
        if (byName is not null)
            return byName;
        if (!idOrName.All(char.IsAsciiHexDigitLower))
            return null;
        var candidates = await set.Where(c => c.Id.StartsWith(idOrName)).Take(2).ToListAsync(cancellationToken);
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => null,
            _ => throw new InvalidArgumentException($"multiple containers found with provided prefix: {idOrName}"),
        };
    }

    public async Task<List<ContainerRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Set<ContainerRecord>().AsNoTracking().OrderByDescending(c => c.CreatedUtc).ToListAsync(cancellationToken);
    }

    /// <summary>The id of the container named <paramref name="name"/>, if any.</summary>
    public async Task<string?> IdOfNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Set<ContainerRecord>().Where(c => c.Name == name).Select(c => c.Id).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task InsertAsync(ContainerRecord record, string action, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        db.Set<ContainerRecord>().Add(record);
        EventLog.Add(db, EventTypes.Container, action, record.Id, Attributes(record));
        await events.CommitAsync(db, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored row and saves it with the events in one transaction. The row's
    /// version is checked, so a change made from a stale copy fails instead of overwriting another.
    /// </summary>
    public async Task<ContainerRecord> UpdateAsync(string id, Action<ContainerRecord> change, CancellationToken cancellationToken,
        params ContainerEventSpec[] containerEvents)
    {
        await using var db = database.CreateContext();
        var record = await db.Set<ContainerRecord>().FirstOrDefaultAsync(c => c.Id == id, cancellationToken)
                     ?? throw new NotFoundException($"No such container: {id}");
        change(record);
        record.Version++;
        foreach (var e in containerEvents)
            EventLog.Add(db, EventTypes.Container, e.Action, id, Attributes(record, e.Extra));
        await events.CommitAsync(db, cancellationToken);
        return record;
    }

    public async Task DeleteAsync(string id, string action, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var record = await db.Set<ContainerRecord>().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (record is null)
            return;
        db.Set<ContainerRecord>().Remove(record);
        EventLog.Add(db, EventTypes.Container, action, id, Attributes(record));
        await events.CommitAsync(db, cancellationToken);
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
